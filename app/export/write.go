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
	dir := filepath.Dir(path)
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return &app.Error{Op: op, Kind: app.Invalid, Field: "out", Msg: fmt.Sprintf("%s is a folder; give a file name", path)}
	}
	tmp, err := os.CreateTemp(dir, ".consulta-export-*")
	if err != nil {
		msg := fmt.Sprintf("cannot write in %s", dir)
		if errors.Is(err, fs.ErrNotExist) {
			msg = fmt.Sprintf("the folder %s does not exist", dir)
		} else if errors.Is(err, fs.ErrPermission) {
			msg = fmt.Sprintf("no permission to write in %s", dir)
		}
		return &app.Error{Op: op, Kind: app.Invalid, Field: "out", Msg: msg, Err: err}
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err := write(svc, opts, bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return &app.Error{Op: op, Msg: fmt.Sprintf("writing %s", path), Err: err}
	}
	if err := tmp.Sync(); err != nil {
		return &app.Error{Op: op, Msg: fmt.Sprintf("writing %s", path), Err: err}
	}
	if err := tmp.Close(); err != nil {
		return &app.Error{Op: op, Msg: fmt.Sprintf("writing %s", path), Err: err}
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return &app.Error{Op: op, Kind: app.Invalid, Field: "out", Msg: fmt.Sprintf("cannot write %s", path), Err: err}
	}
	done = true
	if opts.Progress != nil {
		opts.Progress(1, 1)
	}
	return nil
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
