package cli

// consulta draft export (also consulta export --doc ...): the
// secretariat's drafting documents, app/draftdoc.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/draftdoc"
)

const draftExportUsage = "draft export [DRAFT] --doc compilation|revision|changes|status --out FILE [--format docx|pdf|md|xlsx|csv] [--rev N] [--against M] [--pending] [--section S] [--proponent P] [--anonymous] [--lang L]"

func init() {
	draftCommands = append(draftCommands, command{"export", "write a drafting document: " + draftExportUsage, false, cmdDraftExport})
}

func cmdDraftExport(c *ctx, args []string) error {
	fs := newFlags(c, "draft export")
	doc := fs.String("doc", "compilation", "compilation (every amendment under its paragraph), revision (Rev.n clean), changes (Rev.n against Rev.m, tracked in DOCX) or status (table and memoranda)")
	format := fs.String("format", "", "docx, pdf or md; status: xlsx or csv (default: the first of them, or the --out file's extension)")
	out := fs.String("out", "", "the file to write")
	rev := fs.String("rev", "latest", "revision, changes: the revision to show (0 the zero draft, N for Rev.N, or latest)")
	against := fs.String("against", "previous", "changes: the revision to compare with (N, or previous)")
	pending := fs.Bool("pending", false, "compilation: only pending amendments")
	section := fs.String("section", "", "compilation: one section (a heading's id or words of its title)")
	proponent := fs.String("proponent", "", "compilation: only what one delegation or person proposed")
	anonymous := fs.Bool("anonymous", false, "compilation: leave out proponents', supporters' and opposers' names")
	lang := fs.String("lang", string(defaultLang()), "language of headings and labels: es, en, pt or fr")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, pos, err := c.draftID(pos)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("draft export takes a draft and flags: %s", draftExportUsage)
	}
	if *out == "" {
		return usagef("draft export needs --out FILE")
	}
	l, err := app.ParseLang(*lang)
	if err != nil {
		return err
	}
	opts := draftdoc.Options{Kind: draftdoc.Kind(*doc), Format: *format, Lang: l, Draft: id,
		PendingOnly: *pending, Section: *section, Proponent: *proponent, Anonymous: *anonymous}
	if opts.Format == "" {
		opts.Format = formatOf(*out, draftdoc.Formats[opts.Kind])
	}
	if opts.Rev, err = revFlag(*rev, "latest"); err != nil {
		return err
	}
	if opts.Against, err = revFlag(*against, "previous"); err != nil {
		return err
	}
	if err := draftdoc.Write(c.svc, opts, *out); err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stderr, "wrote %s\n", *out)
	return nil
}

// revFlag reads a revision flag: a number, "Rev.N", or the word that
// means draftdoc.Latest.
func revFlag(s, latest string) (int, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == latest || s == "" {
		return draftdoc.Latest, nil
	}
	n, err := strconv.Atoi(strings.TrimPrefix(s, "rev."))
	if err != nil || n < 0 {
		return 0, usagef("a revision is a number (0 for the zero draft) or %s, not %q", latest, s)
	}
	return n, nil
}

// formatOf is the format the file name's extension names, when it is one
// of formats.
func formatOf(path string, formats []string) string {
	if i := strings.LastIndex(path, "."); i >= 0 {
		if ext := strings.ToLower(path[i+1:]); slices.Contains(formats, ext) {
			return ext
		}
	}
	return ""
}

// hasDocFlag reports whether args ask export for a drafting document.
func hasDocFlag(args []string) bool {
	for _, a := range args {
		if a == "--doc" || a == "-doc" || strings.HasPrefix(a, "--doc=") || strings.HasPrefix(a, "-doc=") {
			return true
		}
	}
	return false
}
