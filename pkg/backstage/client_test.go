package backstage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/internal/testkit"
	"github.com/bsai-dev/bsai/pkg/errs"
)

const secret = "s3cr3t-token-abc123"

// newServer starts an httptest server on 127.0.0.1 only.
func newServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func newClient(srv *httptest.Server, token string) (*Client, *testkit.Sleeps) {
	c := New(srv.URL+"/", token, nil)
	sl := &testkit.Sleeps{}
	c.Sleep = sl.Sleep
	return c, sl
}

// noSecret fails if the token shows up anywhere a user or log could see it.
func noSecret(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("expected an error")
	}
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), errs.HintOf(err)} {
		if strings.Contains(s, secret) {
			t.Errorf("token leaked into error: %q", s)
		}
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), secret) {
			t.Errorf("token leaked into wrapped error %T: %q", e, e.Error())
		}
	}
}

func TestBearerOnlyWithToken(t *testing.T) {
	var got []string
	var mu sync.Mutex
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Write([]byte(`{}`))
	})
	for _, tok := range []string{secret, ""} {
		c, _ := newClient(srv, tok)
		if err := c.Do(context.Background(), "GET", "/api/catalog/entities", nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 || got[0] != "Bearer "+secret || got[1] != "" {
		t.Errorf("Authorization headers = %q, want [Bearer <token>, none]", got)
	}
}

func TestDoJSONRoundTrip(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "POST" || r.URL.Path != "/api/catalog/entities/by-refs" || r.URL.Query().Get("x") != "1" {
			http.Error(w, "bad route "+r.Method+" "+r.URL.String(), 400)
			return
		}
		if r.Header.Get("Content-Type") != "application/json" || r.Header.Get("Accept") != "application/json" {
			http.Error(w, "bad headers", 400)
			return
		}
		b, _ := io.ReadAll(r.Body)
		w.Write([]byte(`{"echo":` + string(b) + `}`))
	})
	c, _ := newClient(srv, "")
	var out struct {
		Echo struct {
			Refs []string `json:"entityRefs"`
		} `json:"echo"`
	}
	err := c.Do(context.Background(), "POST", "/api/catalog/entities/by-refs?x=1", map[string]any{"entityRefs": []string{"component:default/a"}}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Echo.Refs) != 1 || out.Echo.Refs[0] != "component:default/a" {
		t.Errorf("decoded %+v", out)
	}
}

func TestDecodeErrorIsUpstream(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>" + secret)) })
	c, _ := newClient(srv, secret)
	var out map[string]any
	err := c.Do(context.Background(), "GET", "/x", nil, &out)
	if errs.KindOf(err) != errs.KindUpstream {
		t.Errorf("kind %d, want upstream: %v", errs.KindOf(err), err)
	}
	noSecret(t, err)
}

func TestRetryOn5xxThenSuccess(t *testing.T) {
	var n atomic.Int32
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		// The POST body must be sent again in full on every attempt.
		b, _ := io.ReadAll(r.Body)
		if string(b) != `{"a":1}`+"\n" && string(b) != `{"a":1}` {
			http.Error(w, "body lost on retry: "+string(b), 400)
			return
		}
		switch n.Add(1) {
		case 1:
			w.WriteHeader(502)
		case 2:
			w.WriteHeader(503)
		default:
			w.Write([]byte(`{"ok":true}`))
		}
	})
	c, sl := newClient(srv, secret)
	var out struct{ OK bool }
	if err := c.Do(context.Background(), "POST", "/p", map[string]int{"a": 1}, &out); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 3 || len(sl.All()) != 2 || !out.OK {
		t.Errorf("attempts %d, sleeps %v, out %+v; want 3 attempts and 2 sleeps", n.Load(), sl.All(), out)
	}
	for i, d := range sl.All() {
		if d <= 0 || d > 30*time.Second {
			t.Errorf("sleep %d = %v, want a positive backoff", i, d)
		}
	}
}

func TestRetriesExhausted(t *testing.T) {
	for _, status := range []int{500, 503, 429} {
		var n atomic.Int32
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.WriteHeader(status)
			// A backend that echoes the request headers in its error page.
			fmt.Fprintf(w, "failed handling %s", r.Header.Get("Authorization"))
		})
		c, sl := newClient(srv, secret)
		c.MaxRetries = 2
		err := c.Do(context.Background(), "GET", "/api/x", nil, nil)
		if n.Load() != 3 || len(sl.All()) != 2 {
			t.Errorf("%d: attempts %d, sleeps %d; want 3 and 2", status, n.Load(), len(sl.All()))
		}
		if errs.KindOf(err) != errs.KindUpstream || errs.HintOf(err) == "" {
			t.Errorf("%d: kind %d hint %q, want upstream with a hint", status, errs.KindOf(err), errs.HintOf(err))
		}
		var se *StatusError
		if !errors.As(err, &se) || se.Status != status {
			t.Errorf("%d: no *StatusError with the status in %v", status, err)
		}
		if !strings.Contains(err.Error(), fmt.Sprint(status)) {
			t.Errorf("%d: message %q lacks the status", status, err)
		}
		noSecret(t, err)
	}
}

func TestNoRetryWhenMaxRetriesZero(t *testing.T) {
	var n atomic.Int32
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { n.Add(1); w.WriteHeader(503) })
	c, sl := newClient(srv, "")
	c.MaxRetries = 0
	if err := c.Do(context.Background(), "GET", "/", nil, nil); err == nil {
		t.Fatal("want error")
	}
	if n.Load() != 1 || len(sl.All()) != 0 {
		t.Errorf("attempts %d sleeps %d, want 1 and 0", n.Load(), len(sl.All()))
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	var n atomic.Int32
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(429)
			return
		}
		w.Write([]byte(`{}`))
	})
	c, sl := newClient(srv, "")
	if err := c.Do(context.Background(), "GET", "/", nil, nil); err != nil {
		t.Fatal(err)
	}
	d := sl.All()
	if len(d) != 1 || d[0] < 3*time.Second {
		t.Errorf("recorded delays %v, want one of at least 3s (Retry-After: 3)", d)
	}
}

func TestRetryAfterParsing(t *testing.T) {
	if retryAfter("") != 0 || retryAfter("soon") != 0 {
		t.Error("empty or junk Retry-After must be 0")
	}
	if retryAfter("7") != 7*time.Second {
		t.Errorf("retryAfter(7) = %v", retryAfter("7"))
	}
	date := time.Now().Add(10 * time.Second).UTC().Format(http.TimeFormat)
	if d := retryAfter(date); d < 8*time.Second || d > 10*time.Second {
		t.Errorf("retryAfter(date in 10s) = %v", d)
	}
}

func TestBackoffBounds(t *testing.T) {
	for attempt := 0; attempt < 4; attempt++ {
		base := 200 * time.Millisecond << attempt
		for i := 0; i < 50; i++ {
			if d := backoff(attempt, 0); d < base/2 || d > base {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", attempt, d, base/2, base)
			}
		}
	}
	if d := backoff(0, 5*time.Second); d != 5*time.Second {
		t.Errorf("backoff with Retry-After 5s = %v", d)
	}
	if d := backoff(0, time.Hour); d != 30*time.Second {
		t.Errorf("backoff must cap at 30s, got %v", d)
	}
}

func TestAuthErrors(t *testing.T) {
	cases := []struct {
		status   int
		kind     errs.Kind
		hintWant string
	}{
		{401, errs.KindConfig, "--token"},
		{403, errs.KindConfig, "permission"},
		{404, errs.KindNotFound, ""},
		{400, errs.KindFailure, ""},
	}
	for _, tc := range cases {
		var n atomic.Int32
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.WriteHeader(tc.status)
			fmt.Fprintf(w, `{"error":{"message":"bad header %s"}}`, r.Header.Get("Authorization"))
		})
		c, sl := newClient(srv, secret)
		err := c.Do(context.Background(), "GET", "/api/catalog/entities/by-name/component/default/x", nil, nil)
		if errs.KindOf(err) != tc.kind {
			t.Errorf("%d: kind %d, want %d (%v)", tc.status, errs.KindOf(err), tc.kind, err)
		}
		if n.Load() != 1 || len(sl.All()) != 0 {
			t.Errorf("%d: %d attempts, %d sleeps; client errors must not be retried", tc.status, n.Load(), len(sl.All()))
		}
		if h := errs.HintOf(err); !strings.Contains(h, tc.hintWant) || (tc.hintWant != "" && h == "") {
			t.Errorf("%d: hint %q, want it to mention %q", tc.status, h, tc.hintWant)
		}
		if tc.status == 401 || tc.status == 403 {
			if errs.ExitCode(err) != errs.ExitConfig {
				t.Errorf("%d: exit code %d, want 4", tc.status, errs.ExitCode(err))
			}
		}
		var se *StatusError
		if !errors.As(err, &se) || se.Status != tc.status {
			t.Errorf("%d: no *StatusError in chain", tc.status)
		}
		noSecret(t, err)
	}
}

// hijackClose makes the server drop the connection without a reply; with
// reset the kernel sends RST (SO_LINGER 0) instead of FIN.
func hijackClose(w http.ResponseWriter, reset bool) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok && reset {
		tc.SetLinger(0)
	}
	conn.Close()
}

func TestConnectionDropIsRetried(t *testing.T) {
	for _, reset := range []bool{false, true} {
		var n atomic.Int32
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			if n.Add(1) <= 2 {
				hijackClose(w, reset)
				return
			}
			w.Write([]byte(`{"ok":true}`))
		})
		c, sl := newClient(srv, secret)
		var out struct{ OK bool }
		if err := c.Do(context.Background(), "GET", "/", nil, &out); err != nil {
			t.Fatalf("reset=%v: %v", reset, err)
		}
		if !out.OK || n.Load() != 3 || len(sl.All()) != 2 {
			t.Errorf("reset=%v: attempts %d sleeps %d, want 3 and 2", reset, n.Load(), len(sl.All()))
		}
	}
}

func TestConnectionDropExhausted(t *testing.T) {
	var n atomic.Int32
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { n.Add(1); hijackClose(w, true) })
	c, sl := newClient(srv, secret)
	err := c.Do(context.Background(), "GET", "/", nil, nil)
	if n.Load() != 4 || len(sl.All()) != 3 {
		t.Errorf("attempts %d sleeps %d, want 4 and 3 (MaxRetries 3)", n.Load(), len(sl.All()))
	}
	if errs.KindOf(err) != errs.KindUpstream || !strings.Contains(errs.HintOf(err), "backend") {
		t.Errorf("kind %d hint %q", errs.KindOf(err), errs.HintOf(err))
	}
	noSecret(t, err)
}

// A refused connection means nothing listens: fail at once with a hint
// rather than making the user wait through retries.
func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := New("http://"+addr, secret, nil)
	sl := &testkit.Sleeps{}
	c.Sleep = sl.Sleep
	err = c.Do(context.Background(), "GET", "/api/catalog/entities", nil, nil)
	if errs.KindOf(err) != errs.KindUpstream || errs.HintOf(err) == "" || !strings.Contains(err.Error(), addr) {
		t.Errorf("kind %d hint %q err %v", errs.KindOf(err), errs.HintOf(err), err)
	}
	noSecret(t, err)
}

type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A transport (a proxy, a custom RoundTripper) may put the URL and the
// request headers into its error; the token must still not come out.
func TestTransportErrorEchoingToken(t *testing.T) {
	for _, retryable := range []bool{false, true} {
		var n atomic.Int32
		hc := &http.Client{Transport: rtFunc(func(r *http.Request) (*http.Response, error) {
			n.Add(1)
			cause := "proxy rejected request with Authorization: " + r.Header.Get("Authorization")
			if retryable {
				cause += ": connection reset by peer"
			}
			u := r.URL.String() + "?access_token=" + strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			return nil, errors.New(cause + " " + u)
		})}
		c := New("http://backstage.internal:7007", secret, hc)
		sl := &testkit.Sleeps{}
		c.Sleep = sl.Sleep
		err := c.Do(context.Background(), "GET", "/api/catalog/entities", nil, nil)
		noSecret(t, err)
		if !strings.Contains(err.Error(), "<redacted>") {
			t.Errorf("retryable=%v: want the token replaced, got %q", retryable, err)
		}
		want := int32(1)
		if retryable {
			want = 4
		}
		if n.Load() != want {
			t.Errorf("retryable=%v: %d attempts, want %d", retryable, n.Load(), want)
		}
	}
}

func TestContextCancelStopsRetries(t *testing.T) {
	var n atomic.Int32
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { n.Add(1); w.WriteHeader(503) })

	// Cancelled while waiting between attempts: the sleep returns the
	// context's error and the client must give up.
	ctx, cancel := context.WithCancel(context.Background())
	c, _ := newClient(srv, "")
	c.Sleep = func(ctx context.Context, d time.Duration) error { cancel(); return sleepCtx(ctx, time.Hour) }
	start := time.Now()
	err := c.Do(ctx, "GET", "/", nil, nil)
	if !errors.Is(err, context.Canceled) || errs.KindOf(err) != errs.KindInterrupted {
		t.Errorf("err %v kind %d, want context.Canceled / interrupted", err, errs.KindOf(err))
	}
	if n.Load() != 1 {
		t.Errorf("%d attempts after cancel, want 1", n.Load())
	}
	if time.Since(start) > 10*time.Second {
		t.Error("sleepCtx ignored the cancelled context")
	}

	// Cancelled while a sleep that ignores ctx runs: the next attempt
	// must not go out.
	n.Store(0)
	ctx2, cancel2 := context.WithCancel(context.Background())
	c.Sleep = func(context.Context, time.Duration) error { cancel2(); return nil }
	err = c.Do(ctx2, "GET", "/", nil, nil)
	if !errors.Is(err, context.Canceled) || n.Load() != 1 {
		t.Errorf("err %v after %d attempts, want context.Canceled after 1", err, n.Load())
	}

	// Already cancelled: no request at all.
	n.Store(0)
	err = c.Do(ctx2, "GET", "/", nil, nil)
	if !errors.Is(err, context.Canceled) || n.Load() != 0 {
		t.Errorf("err %v after %d attempts, want context.Canceled and none", err, n.Load())
	}
}

func TestSleepCtx(t *testing.T) {
	if err := sleepCtx(context.Background(), time.Millisecond); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan error, 1)
	go func() { done <- sleepCtx(ctx, time.Hour) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("sleepCtx = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sleepCtx did not return on a cancelled context")
	}
}

func TestInvalidBaseURL(t *testing.T) {
	c := New("http://bad host\x7f", "", nil)
	err := c.Do(context.Background(), "GET", "/", nil, nil)
	if errs.KindOf(err) != errs.KindConfig {
		t.Errorf("kind %d, want config: %v", errs.KindOf(err), err)
	}
}

func TestNewTrimsSlashAndDefaults(t *testing.T) {
	c := New("http://h:7007///", "t", nil)
	if c.BaseURL != "http://h:7007" || c.MaxRetries != 3 || c.HTTP == nil || c.HTTP.Timeout == 0 || c.Sleep == nil {
		t.Errorf("New defaults: %+v", c)
	}
}

// Whatever stops the wait between attempts (ctx, a test, a signal) ends Do
// with that error instead of another request.
func TestSleepErrorEndsRetries(t *testing.T) {
	var n atomic.Int32
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { n.Add(1); w.WriteHeader(503) })
	c, _ := newClient(srv, "")
	stop := errors.New("stop waiting")
	c.Sleep = func(context.Context, time.Duration) error { return stop }
	if err := c.Do(context.Background(), "GET", "/", nil, nil); !errors.Is(err, stop) || n.Load() != 1 {
		t.Errorf("err %v after %d attempts, want the sleep's error after 1", err, n.Load())
	}
}

// A request that starts work (a scaffolder task) must not run twice: a 5xx
// may come after the task was created, so Create does not retry it, while
// a 429 (rejected unprocessed) is still retried.
func TestCreateRetriesOnlyRateLimits(t *testing.T) {
	for _, tc := range []struct {
		status    int
		wantCalls int
	}{{http.StatusBadGateway, 1}, {http.StatusInternalServerError, 1}, {http.StatusTooManyRequests, 2}} {
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 1 {
				w.WriteHeader(tc.status)
				return
			}
			_, _ = w.Write([]byte(`{"id":"t1"}`))
		}))
		c := New(srv.URL, "", srv.Client())
		c.Sleep = func(ctx context.Context, d time.Duration) error { return nil }
		var out struct{ ID string }
		_ = c.Create(context.Background(), "POST", "/api/scaffolder/v2/tasks", map[string]any{"x": 1}, &out)
		srv.Close()
		if got := int(calls.Load()); got != tc.wantCalls {
			t.Errorf("status %d: %d calls, want %d", tc.status, got, tc.wantCalls)
		}
	}
}
