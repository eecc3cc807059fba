package cli

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/export"
)

func cmdExport(c *ctx, args []string) error {
	if hasDocFlag(args) { // a drafting document: draft export
		return cmdDraftExport(c, args)
	}
	fs := newFlags(c, "export")
	ff := newFilterFlags(fs)
	format := fs.String("format", "", "docx, pdf, xlsx, csv, json or md")
	out := fs.String("out", "", "the file to write")
	lang := fs.String("lang", string(defaultLang()), "language of headings and labels: es, en, pt or fr")
	notes := fs.Bool("include-notes", false, "include delegates' notes in the document")
	withdrawn := fs.Bool("include-withdrawn", false, "include withdrawn records")
	hxl := fs.Bool("hxl", false, "xlsx, csv: add a row of HXL hashtags under the header")
	bom := fs.Bool("bom", false, "csv: start with a byte order mark, for spreadsheet programs that need it")
	sensitive := fs.Bool("include-sensitive", false, "include sensitive records (they can name people at risk)")
	redact := fs.Bool("redact", false, "keep sensitive records with their text and author replaced by "+app.Redacted)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("export takes no arguments, only flags")
	}
	if *format == "" {
		return usagef("export needs --format (%s)", strings.Join(export.Formats, ", "))
	}
	if *out == "" {
		return usagef("export needs --out FILE")
	}
	l, err := app.ParseLang(*lang)
	if err != nil {
		return err
	}
	opts := export.Options{Format: *format, Lang: l, Filter: ff.filter(), IncludeNotes: *notes,
		IncludeWithdrawn: *withdrawn, HXL: *hxl, BOM: *bom, IncludeSensitive: *sensitive, Redact: *redact}
	if err := export.Write(c.svc, opts, *out); err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stderr, "wrote %s\n", *out)
	if strings.EqualFold(*format, "json") {
		fmt.Fprintln(c.env.Stderr, "the JSON holds the workspace's join key: keep it as you would keep the invite code")
	}
	return nil
}

func cmdImport(c *ctx, args []string) error {
	pos, err := parse(newFlags(c, "import"), args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("import needs one file: import FILE (a bundle or a JSON export)")
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return &app.Error{Op: "import", Kind: app.Invalid, Msg: fmt.Sprintf("cannot read %s", pos[0]), Err: err}
	}
	defer f.Close()
	r := bufio.NewReader(f)
	if isBundle(r) {
		return importBundle(c, r)
	}
	res, err := export.Import(c.svc, r)
	if res != nil && res.New > 0 && err != nil {
		fmt.Fprintf(c.env.Stderr, "%d operations were stored before the error\n", res.New)
	}
	if err != nil {
		return err
	}
	if res.Created {
		c.out("created a member of workspace %s\n", res.Workspace)
	}
	c.out("imported %s of the %d in the file\n", count(res.New, "new operation"), res.Operations)
	return nil
}
