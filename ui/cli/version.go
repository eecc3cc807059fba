package cli

// Registered here, not in cli.go's list: version.go sorts after cli.go, so
// its init runs after the list is made.
func init() {
	commands = append(commands,
		command{"version", "name this build: version, FyneApp.toml's build number, source revision, Go: version [--json]", true, cmdVersion},
	)
}

func cmdVersion(c *ctx, args []string) error {
	fs := newFlags(c, "version")
	asJSON := fs.Bool("json", false, "print it as JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("version takes no arguments")
	}
	if *asJSON {
		return writeJSON(c.env.Stdout, c.env.Build)
	}
	c.out("%s\n", c.env.Build)
	return nil
}
