package config

// BackstageConfig is the one Backstage connection every subcommand uses:
// catalog, scaffolder actions, tasks, dry-run and mcp-actions.
type BackstageConfig struct {
	BaseURL string   `json:"baseUrl"`
	Token   string   `json:"token"`
	Timeout Duration `json:"timeout"`
}

// Backstage returns the Backstage connection: bsai.backstage.* wins, then
// bsai.catalog.backstage.*, then backend.baseUrl (the key an existing
// Backstage app-config already has).
func (c *Config) Backstage() (BackstageConfig, error) {
	var b BackstageConfig
	if base, err := c.String("backend.baseUrl"); err != nil {
		return b, err
	} else {
		b.BaseURL = base
	}
	for _, key := range []string{"bsai.catalog.backstage", "bsai.backstage"} {
		var over BackstageConfig
		if err := c.Decode(key, &over); err != nil {
			return b, err
		}
		if over.BaseURL != "" {
			b.BaseURL = over.BaseURL
		}
		if over.Token != "" {
			b.Token = over.Token
		}
		if over.Timeout.Duration != 0 {
			b.Timeout = over.Timeout
		}
	}
	return b, nil
}
