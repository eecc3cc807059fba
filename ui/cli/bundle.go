package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/export"
	"github.com/cartagena-c40/consulta/sync/bundle"
)

// The bundle and vector commands are listed in cli.go, after import: this
// file's init would run before cli.go's, which sets the list.

func cmdBundle(c *ctx, args []string) error {
	fs := newFlags(c, "bundle")
	out := fs.String("out", "", "the file to write")
	since := fs.String("since", "", "the vector file of the laptop the bundle is for (consulta vector there): only what it lacks")
	forPeer := fs.String("for", "", "not available: use --since")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return usagef("bundle takes no arguments, only flags")
	case *out == "":
		return usagef("bundle needs --out FILE")
	case *forPeer != "":
		return usagef("bundle --for: this laptop keeps no record of what its peers hold; run 'consulta vector --out FILE' on the other laptop and give that file to --since")
	}
	var v app.Vector
	if *since != "" {
		if v, err = readVector(*since); err != nil {
			return err
		}
	}
	st, err := bundle.WriteFile(c.svc, *out, v)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stderr, "wrote %s: %s of %s, sealed with the join key of epoch %d\n", *out, count(st.Operations, "operation"), count(st.Devices, "laptop"), st.Epoch)
	if st.Operations == 0 && v != nil {
		fmt.Fprintln(c.env.Stderr, "the other laptop lacks nothing this one holds")
	}
	return nil
}

func readVector(path string) (app.Vector, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &app.Error{Op: "bundle", Kind: app.Invalid, Field: "since", Msg: fmt.Sprintf("cannot read %s", path), Err: err}
	}
	defer f.Close()
	return bundle.ReadVector(f)
}

func cmdVector(c *ctx, args []string) error {
	fs := newFlags(c, "vector")
	out := fs.String("out", "", "the file to write (default: standard output)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("vector takes no arguments, only flags")
	}
	v, err := c.svc.Vector()
	if err != nil {
		return err
	}
	if *out == "" {
		return bundle.WriteVector(c.env.Stdout, v)
	}
	if err := export.WriteFile(*out, func(w io.Writer) error { return bundle.WriteVector(w, v) }); err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stderr, "wrote %s; on the other laptop: consulta bundle --since %s --out FILE\n", *out, *out)
	return nil
}

// importBundle applies the bundle r (import FILE, when FILE is one).
func importBundle(c *ctx, r io.Reader) error {
	res, err := bundle.Import(c.svc, r)
	if err != nil {
		if res.New > 0 {
			fmt.Fprintf(c.env.Stderr, "%d operations were stored before the error\n", res.New)
		}
		return err
	}
	c.out("imported %s of the %d in the bundle\n", count(res.New, "new operation"), res.Operations)
	if res.Waiting > 0 {
		c.out("%d wait for an earlier bundle: the laptops that wrote them wrote others before, which this laptop lacks\n", res.Waiting)
	}
	return nil
}

// isBundle reports whether r starts as a bundle, without consuming it.
func isBundle(r *bufio.Reader) bool {
	head, _ := r.Peek(len(bundle.Magic))
	return bundle.IsBundle(head)
}
