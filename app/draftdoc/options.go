package draftdoc

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/export"
)

// Kind is which document to write.
type Kind string

// The documents.
const (
	Compilation Kind = "compilation" // every amendment under its paragraph
	Revision    Kind = "revision"    // Rev.n, clean
	Changes     Kind = "changes"     // Rev.n against Rev.m, with its changes marked
	Status      Kind = "status"      // the status table and the memoranda
)

// Kinds lists the documents.
var Kinds = []Kind{Compilation, Revision, Changes, Status}

// Formats lists the formats each document is written in, the first the
// one a person most likely wants.
var Formats = map[Kind][]string{
	Compilation: {"docx", "pdf", "md"},
	Revision:    {"docx", "pdf", "md"},
	Changes:     {"docx", "pdf", "md"},
	Status:      {"xlsx", "csv"},
}

// Latest, as Options.Rev, is the draft's latest revision.
const Latest = -1

// Options says which document to write, of which draft, and how.
type Options struct {
	Kind   Kind
	Format string
	Lang   app.Lang     // headings and labels; the draft's text stays as written
	Draft  app.RecordID // empty: the workspace's only draft (or newest)
	// Rev is the revision a revision or a comparison shows (Latest, 0 for
	// the zero draft, n for Rev.n). Against is the one a comparison is
	// made with; Latest there means the revision before Rev.
	Rev, Against int
	// The compilation's selection: only pending amendments, one section
	// (a heading's id, or words of its title), one proponent (a
	// delegation or a person, as the amendment names them), and names
	// left out (proponents, supporters, opposers).
	PendingOnly bool
	Section     string
	Proponent   string
	Anonymous   bool
	// Progress, if set, is called as paragraphs are written.
	Progress func(done, total int)
	// Now is the time printed as the document's; zero means time.Now().
	Now time.Time
}

// normalize fills defaults and checks opts.
func (o *Options) normalize() error {
	o.Kind = Kind(strings.ToLower(strings.TrimSpace(string(o.Kind))))
	if o.Kind == "" {
		o.Kind = Compilation
	}
	formats, ok := Formats[o.Kind]
	if !ok {
		return &app.Error{Op: "document", Kind: app.Invalid, Field: "document", Msg: fmt.Sprintf("%q is not a drafting document", o.Kind), Valid: strs(Kinds)}
	}
	o.Format = strings.ToLower(strings.TrimSpace(o.Format))
	if o.Format == "" {
		o.Format = formats[0]
	}
	if !slices.Contains(formats, o.Format) {
		return &app.Error{Op: "document", Kind: app.Invalid, Field: "format", Msg: fmt.Sprintf("the %s is not written as %s", o.Kind, o.Format), Valid: formats}
	}
	if o.Lang == "" {
		o.Lang = "es"
	}
	if _, err := app.ParseLang(string(o.Lang)); err != nil {
		return err
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	return nil
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// Write writes the document opts asks for to path, whole or not at all.
// Errors: app.Invalid for an unknown document, format or language, a
// revision the draft does not have, a section or proponent that matches
// nothing, or a path that cannot be written; app.NotFound when there is
// no draft.
func Write(svc *app.Service, opts Options, path string) error {
	if err := opts.normalize(); err != nil {
		return err
	}
	d, err := Collect(svc, opts)
	if err != nil {
		return err
	}
	if err := export.WriteFile(path, func(w io.Writer) error { return d.write(w) }); err != nil {
		if e, ok := err.(*app.Error); ok && e.Op == "" {
			c := *e
			c.Op = "document"
			return &c
		}
		return err
	}
	if opts.Progress != nil {
		opts.Progress(1, 1)
	}
	return nil
}

// write writes d in its format.
func (d *Doc) write(out io.Writer) error {
	switch d.Opts.Format {
	case "docx":
		return writeDOCX(d, out)
	case "pdf":
		return writePDF(d, out)
	case "md":
		return writeMarkdown(d, out)
	case "xlsx":
		return writeXLSX(d, out)
	case "csv":
		return writeCSV(d, out)
	}
	return fmt.Errorf("document: no writer for %s", d.Opts.Format)
}
