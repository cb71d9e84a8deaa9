package config

// AdminConfig configures the operator endpoints (POST /admin/reload). They
// are off unless a token is set.
type AdminConfig struct {
	// Token is the bearer token of the admin endpoints; it must differ
	// from every client token.
	Token string `yaml:"token"`
}

func (c *Config) validateAdmin(v *validator) {
	t := c.Admin.Token
	if t == "" {
		return
	}
	if len(t) < 16 {
		v.add("admin.token", "must be at least 16 characters")
	}
	for i, tok := range c.Auth.Tokens {
		if tok.Token == t {
			v.add("admin.token", "must differ from client tokens (equal to auth.tokens[%d].token)", i)
		}
	}
}
