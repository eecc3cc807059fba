package cli

import (
	"fmt"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/demo"
)

func cmdDemo(c *ctx, args []string) error {
	fs := newFlags(c, "demo")
	n := fs.Int("records", 1000, "how many records to generate")
	seed := fs.Int64("seed", 1, "seed: the same seed gives the same data")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *n <= 0 || *n > 1_000_000 {
		return usagef("--records must be between 1 and 1000000")
	}
	if c.svc.Workspace() == nil {
		ws, err := c.svc.Init("Cartagena +40 (demo)")
		if err != nil {
			return err
		}
		fmt.Fprintf(c.env.Stderr, "created demo workspace %s in %s\n", ws.ID, c.dir)
	}
	start := time.Now()
	last := time.Time{}
	ids, err := demo.Load(c.svc, *n, *seed, 500, func(done, total int) {
		if time.Since(last) > time.Second || done == total {
			fmt.Fprintf(c.env.Stderr, "\r%d/%d records", done, total)
			last = time.Now()
		}
	})
	fmt.Fprintln(c.env.Stderr)
	if app.KindOf(err) == app.Exist {
		return usagef("sample data with seed %d is already here (%d records added now); use another --seed", *seed, len(ids))
	}
	if err != nil {
		return err
	}
	c.out("%d records added in %s\n", len(ids), time.Since(start).Round(time.Millisecond))
	if ds, err := c.svc.DraftDocs(); err != nil || len(ds) > 0 {
		return err // a workspace that has a draft gets no sample one
	}
	plan, err := demo.LoadPlan(c.svc, *seed, "Secretaría Técnica (demo)")
	if err != nil {
		return err
	}
	c.out("sample draft plan %s added: consulta draft show\n", plan)
	return nil
}
