package config

import (
	"strings"

	"github.com/bsai-dev/bsai/pkg/boundedio"
)

// LimitsConfig is bsai.limits: the caps on what bsai reads.
//
//	bsai:
//	  limits:
//	    inputBytes: 10MiB        # alerts, templates, --args, stdin, $text/$file targets
//	    catalogFileBytes: 64MiB  # each catalog YAML file
type LimitsConfig struct {
	InputBytes       ByteSize `json:"inputBytes"`
	CatalogFileBytes ByteSize `json:"catalogFileBytes"`
}

// Limits are the caps, ready for boundedio.
type Limits struct {
	Input   boundedio.Limit
	Catalog boundedio.Limit
}

// DefaultLimits are the caps with nothing configured.
func DefaultLimits() Limits { return Limits{Input: boundedio.Input(), Catalog: boundedio.Catalog()} }

// Limits returns bsai.limits over the defaults.
func (c *Config) Limits() (Limits, error) {
	var lc LimitsConfig
	l := DefaultLimits()
	if err := c.Decode("bsai.limits", &lc); err != nil {
		return l, err
	}
	if lc.InputBytes > 0 {
		l.Input.Bytes = int64(lc.InputBytes)
	}
	if lc.CatalogFileBytes > 0 {
		l.Catalog.Bytes = int64(lc.CatalogFileBytes)
	}
	return l, nil
}

// inputLimitFromEnv is the input cap for reading config files themselves,
// which are read before any config exists: only the APP_CONFIG_ override
// can change it.
func inputLimitFromEnv(env map[string]string) boundedio.Limit {
	l := boundedio.Input()
	name := EnvPrefix + strings.ReplaceAll(boundedio.SettingInput, ".", "_")
	if v, ok := env[name]; ok {
		if n, err := ParseByteSize(v); err == nil && n > 0 {
			l.Bytes = int64(n)
		}
	}
	return l
}
