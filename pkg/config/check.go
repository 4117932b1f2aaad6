package config

import "reflect"

// block is a config key bsai reads and the type its typed view decodes it
// into. Check decodes every block, so a wrong-typed block is an error for
// every command, not only for the one that happens to read it (a command
// that ignored it would otherwise run with defaults the user did not ask
// for).
type block struct {
	path string
	typ  any // a value of the type, used through reflect.New
}

// blocks lists every block with a typed view. A block added to the config
// needs a line here. bsai.mcp and scaffolder.mcpServers are checked by
// MCPSettings, which Check calls.
var blocks = []block{
	{"backend", struct {
		BaseURL string `json:"baseUrl"`
	}{}},
	{"catalog.locations", []rawLocation{}},
	{"bsai.ai", AIConfig{}},
	{"bsai.ask", AskConfig{}},
	{"bsai.backstage", BackstageConfig{}},
	{"bsai.catalog", rawCatalog{}},
	{"bsai.catalog.backstage", BackstageConfig{}},
	{"bsai.incident", IncidentConfig{}},
	{"bsai.limits", LimitsConfig{}},
	{"bsai.scaffolder", ScaffolderConfig{}},
}

// Check reports the first wrong-typed or out-of-range value in any block
// bsai reads, as a config error naming the key and the file and line that
// set it. Checks that depend on other blocks (a default provider that must
// exist) stay with the typed views.
func (c *Config) Check() error {
	for _, b := range blocks {
		if err := c.Decode(b.path, reflect.New(reflect.TypeOf(b.typ)).Interface()); err != nil {
			return err
		}
	}
	if _, err := c.Ask(); err != nil {
		return err
	}
	if _, err := c.Limits(); err != nil {
		return err
	}
	if _, err := c.MCPSettings(); err != nil {
		return err
	}
	return nil
}
