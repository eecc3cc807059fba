package cli

import (
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/cartagena-c40/consulta/app"
)

// bodyFlags reads a text from --body or --body-file.
type bodyFlags struct {
	body, file *string
	given      map[string]bool
}

func (b *bodyFlags) text() (string, bool, error) {
	switch {
	case b.given["body"] && b.given["body-file"]:
		return "", false, usagef("give the text with --body or --body-file, not both")
	case b.given["body"]:
		return *b.body, true, nil
	case b.given["body-file"]:
		s, err := readLimited(*b.file, nil)
		return s, err == nil, err
	}
	return "", false, nil
}

func cmdMerge(c *ctx, args []string) error {
	fs := newFlags(c, "merge")
	ff := newFieldFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) < 2 {
		return usagef("merge needs the ids of two or more proposals or inputs: merge ID ID... --title T")
	}
	p, err := ff.patch(c, nil)
	if err != nil {
		return err
	}
	if p.Title == nil {
		return usagef("merge needs --title for the consolidated proposal")
	}
	ids := make([]app.RecordID, len(pos))
	for i, s := range pos {
		ids[i] = app.RecordID(s)
	}
	id, err := c.svc.Merge(ids, p)
	if err != nil {
		return err
	}
	c.out("%s\n", id)
	return nil
}

func cmdUnmerge(c *ctx, args []string) error {
	pos, err := parse(newFlags(c, "unmerge"), args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("unmerge needs the id of one consolidated proposal")
	}
	return c.svc.Unmerge(app.RecordID(pos[0]))
}

func cmdConflicts(c *ctx, args []string) error {
	fs := newFlags(c, "conflicts")
	asJSON := fs.Bool("json", false, "print a JSON array")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("conflicts takes no arguments")
	}
	recs, err := c.svc.Attention()
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]recordJSON, len(recs))
		for i, r := range recs {
			if out[i], err = c.fullJSON(r.ID); err != nil {
				return err
			}
			if len(r.Attention) > 0 {
				out[i].Attention = r.Attention // with merged-twice on consolidated proposals
			}
		}
		return writeJSON(c.env.Stdout, out)
	}
	tw := tabwriter.NewWriter(c.env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tSTATUS\tATTENTION\tTITLE")
	for _, r := range recs {
		why := strings.Join(r.Attention, ",")
		if len(r.Conflict) > 0 {
			why += fmt.Sprintf(" (%d versions)", len(r.Conflict))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Kind, r.Status, why, clip(r.Title, 60))
	}
	tw.Flush()
	fmt.Fprintf(c.env.Stderr, "%d records need attention\n", len(recs))
	return nil
}

func cmdResolve(c *ctx, args []string) error {
	fs := newFlags(c, "resolve")
	b := &bodyFlags{body: fs.String("body", "", "the settled text"), file: fs.String("body-file", "", "file holding the settled text")}
	take := fs.Int("take", 0, "keep competing version N (see show ID)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("resolve needs one record id: resolve ID (--body B | --body-file F | --take N)")
	}
	b.given = visited(fs)
	text, ok, err := b.text()
	if err != nil {
		return err
	}
	id := app.RecordID(pos[0])
	switch {
	case ok && b.given["take"]:
		return usagef("give either a text or --take N, not both")
	case ok:
		return c.svc.Resolve(id, text)
	case b.given["take"]:
		return c.svc.ResolveTake(id, *take)
	}
	return usagef("resolve needs --body, --body-file or --take N")
}

func cmdComment(c *ctx, args []string) error {
	fs := newFlags(c, "comment")
	b := &bodyFlags{body: fs.String("body", "", "the comment"), file: fs.String("body-file", "", "file holding the comment")}
	author := fs.String("author", "", "your name (default: the author setting)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("comment needs one record id: comment ID --body B")
	}
	b.given = visited(fs)
	text, ok, err := b.text()
	if err != nil {
		return err
	}
	if !ok && c.env.Stdin != nil {
		if text, err = readLimited("stdin", c.env.Stdin); err != nil {
			return err
		}
	}
	var p app.Patch
	name := strings.TrimSpace(*author)
	if name == "" {
		name = c.svc.Person()
	}
	if name != "" {
		p.Author = &name
	}
	id, err := c.svc.Comment(app.RecordID(pos[0]), text, p)
	if err != nil {
		return err
	}
	c.out("%s\n", id)
	return nil
}

func cmdSupport(c *ctx, args []string) error {
	fs := newFlags(c, "support")
	name := fs.String("name", "", "who supports it (default: the author setting, else this laptop's name)")
	undo := fs.Bool("undo", false, "take the support back")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("support needs one record id")
	}
	who := strings.TrimSpace(*name)
	if who == "" {
		who = c.svc.Person()
	}
	if *undo {
		return c.svc.Unsupport(app.RecordID(pos[0]), who)
	}
	return c.svc.Support(app.RecordID(pos[0]), who)
}

// visited is the set of flags given on the command line.
func visited(fs *flag.FlagSet) map[string]bool {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	return given
}
