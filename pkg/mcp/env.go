package mcp

import (
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/bsai-dev/bsai/pkg/config"
)

// defaultEnvVars are the variables a stdio server inherits when its
// declaration does not say inheritEnv: true, the same lists as the
// TypeScript MCP SDK's getDefaultEnvironment (DEFAULT_INHERITED_ENV_VARS in
// @modelcontextprotocol/sdk client/stdio; the Unix list is modelled on
// sudo's env_reset). Everything else, API keys and tokens included, stays
// with bsai; a server that needs a variable declares it in env.
var defaultEnvVars = func() []string {
	if runtime.GOOS == "windows" {
		return []string{"APPDATA", "HOMEDRIVE", "HOMEPATH", "LOCALAPPDATA", "PATH", "PROCESSOR_ARCHITECTURE",
			"SYSTEMDRIVE", "SYSTEMROOT", "TEMP", "USERNAME", "USERPROFILE", "PROGRAMFILES"}
	}
	return []string{"HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER"}
}()

// serverEnv is the environment a stdio server is started with: the safe
// default set from environ (or all of environ with inheritEnv), then the
// declared env on top. Values starting with "()" are skipped like the SDK
// does (exported shell functions, the Shellshock vector).
func serverEnv(cfg config.MCPServer, environ []string) []string {
	vars := map[string]string{}
	var order []string
	set := func(k, v string) {
		if _, ok := vars[k]; !ok {
			order = append(order, k)
		}
		vars[k] = v
	}
	allowed := map[string]bool{}
	for _, k := range defaultEnvVars {
		allowed[k] = true
	}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			continue
		}
		if runtime.GOOS == "windows" {
			k = strings.ToUpper(k)
		}
		if cfg.InheritEnv || (allowed[k] && !strings.HasPrefix(v, "()")) {
			set(k, v)
		}
	}
	keys := make([]string, 0, len(cfg.Env))
	for k := range cfg.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		set(k, cfg.Env[k])
	}
	out := make([]string, 0, len(order)+1)
	for _, k := range order {
		out = append(out, k+"="+vars[k])
	}
	return append(out, ownerEnv())
}

// environ is os.Environ, replaceable in tests.
var environ = os.Environ

// ownerEnv marks a server and what it spawns as started by this bsai
// process, so orphans re-parented to bsai can be told apart from other
// children. It holds no secret, only our pid.
func ownerEnv() string { return "BSAI_MCP_OWNER=" + strconv.Itoa(os.Getpid()) }
