package llm_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/llm"
	"github.com/bsai-dev/bsai/pkg/llm/llmtest"
)

func TestListModels(t *testing.T) {
	srv := llmtest.New(t)
	srv.Models = []string{"zeta", "alpha", "mid"}
	got, err := llm.ListModels(context.Background(), llm.NewMetered(srv.Provider()))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"alpha", "mid", "zeta"}; !reflect.DeepEqual(got, want) {
		t.Errorf("models = %v, want %v", got, want)
	}
	last := srv.Last()
	if last.Method != "GET" || !strings.HasSuffix(last.Path, "/v1/models") || last.Header.Get("Authorization") != "Bearer "+llmtest.APIKey {
		t.Errorf("request = %s %s auth %q", last.Method, last.Path, last.Header.Get("Authorization"))
	}
}

func TestListModelsUnauthorizedIsConfigErrorWithoutKey(t *testing.T) {
	srv := llmtest.New(t, llmtest.Unauthorized())
	srv.ScriptModels = true
	_, err := llm.ListModels(context.Background(), srv.Provider())
	if err == nil {
		t.Fatal("want an error")
	}
	if strings.Contains(err.Error(), llmtest.APIKey) {
		t.Errorf("key leaked: %v", err)
	}
	if code := errs.ExitCode(err); code != 4 {
		t.Errorf("exit %d for 401, want 4 (%v)", code, err)
	}
}
