package export

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cartagena-c40/consulta/app"
)

// Write exports what opts selects to the file path in opts.Format. The
// file appears whole or not at all: it is written to a temporary file in
// the same folder, flushed to disk and renamed. Errors: app.Invalid for an
// unknown format or language, or a path that cannot be written.
func Write(svc *app.Service, opts Options, path string) error {
	const op = "export"
	opts.Format = strings.ToLower(strings.TrimSpace(opts.Format))
	if !slices.Contains(Formats, opts.Format) {
		return &app.Error{Op: op, Kind: app.Invalid, Field: "format", Msg: fmt.Sprintf("%q is not a format", opts.Format), Valid: Formats}
	}
	if opts.Lang == "" {
		opts.Lang = "es"
	}
	if _, err := app.ParseLang(string(opts.Lang)); err != nil {
		return err
	}
	if err := WriteFile(path, func(w io.Writer) error { return write(svc, opts, w) }); err != nil {
		return withOp(op, err)
	}
	if opts.Progress != nil {
		opts.Progress(1, 1)
	}
	return nil
}

// WriteFile writes path whole or not at all: write fills a temporary file
// in the same folder, which is flushed to disk and renamed over path. A
// backup uses it too. Errors: app.Invalid for a path that cannot be
// written (a folder, a folder that does not exist, no permission).
func WriteFile(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return &app.Error{Kind: app.Invalid, Field: "out", Msg: fmt.Sprintf("%s is a folder; give a file name", path)}
	}
	tmp, err := os.CreateTemp(dir, ".consulta-*")
	if err != nil {
		msg := fmt.Sprintf("cannot write in %s", dir)
		if errors.Is(err, fs.ErrNotExist) {
			msg = fmt.Sprintf("the folder %s does not exist", dir)
		} else if errors.Is(err, fs.ErrPermission) {
			msg = fmt.Sprintf("no permission to write in %s", dir)
		}
		return &app.Error{Kind: app.Invalid, Field: "out", Msg: msg, Err: err}
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err := write(bw); err != nil {
		return err
	}
	for _, step := range []func() error{bw.Flush, tmp.Sync, tmp.Close} {
		if err := step(); err != nil {
			return &app.Error{Msg: fmt.Sprintf("writing %s", path), Err: err}
		}
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return &app.Error{Kind: app.Invalid, Field: "out", Msg: fmt.Sprintf("cannot write %s", path), Err: err}
	}
	done = true
	return nil
}

// withOp names op in an *app.Error that names no operation.
func withOp(op string, err error) error {
	if e, ok := err.(*app.Error); ok && e.Op == "" {
		c := *e
		c.Op = op
		return &c
	}
	return err
}

// write writes the export to out.
func write(svc *app.Service, opts Options, out io.Writer) error {
	if opts.Format == "json" {
		return writeArchive(svc, opts, out)
	}
	rep, err := Collect(svc, opts)
	if err != nil {
		return err
	}
	switch opts.Format {
	case "md":
		return writeMarkdown(rep, out)
	case "docx":
		return writeDOCX(rep, out)
	case "pdf":
		return writePDF(rep, out)
	case "xlsx":
		return writeXLSX(rep, out)
	case "csv":
		return writeCSV(rep, out)
	}
	return fmt.Errorf("export: no writer for %s", opts.Format)
}
