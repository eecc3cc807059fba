package export

import (
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"slices"
	"time"

	"github.com/cartagena-c40/consulta/app"
)

// ArchiveFormat names Consulta's JSON export in its "format" key.
const ArchiveFormat = "consulta-export"

// archiveVersion is the version of the JSON export this code writes and
// reads.
const archiveVersion = 1

// Archive is the JSON export: the workspace, the records at the time of
// the export and, at full fidelity, the signed operations they were folded
// from, which hold their whole history. Import reads it back.
//
// The workspace's secret (its join key) is in it, so that an import into
// an empty data directory recreates a member of the same workspace: keep
// the file as you would keep the invite code.
type Archive struct {
	Format    string           `json:"format"`
	Version   int              `json:"version"`
	Exported  time.Time        `json:"exported"`
	Workspace ArchiveWorkspace `json:"workspace"`
	Filter    string           `json:"filter"`
	// Complete says the operations are all of the workspace's (no filter;
	// withdrawn records are in the operations even when Records leaves
	// them out):
	// only such an export can be imported, since each device's operations
	// form a hash chain that a part would break.
	Complete   bool     `json:"complete"`
	Records    []Record `json:"records"`
	Operations [][]byte `json:"operations"` // canonical CBOR, signed (base64 in JSON)
}

// ArchiveWorkspace is the workspace in an Archive.
type ArchiveWorkspace struct {
	ID      string    `json:"id"`
	Title   string    `json:"title"`
	Created time.Time `json:"created"`
	Secret  []byte    `json:"secret"`
}

// writeArchive writes the JSON export of what opts selects.
func writeArchive(svc *app.Service, opts Options, out io.Writer) error {
	ws := svc.Workspace()
	if ws == nil {
		return &app.Error{Op: "export", Kind: app.NotInitialized, Msg: "no workspace here yet"}
	}
	res, err := svc.List(opts.Filter, 0)
	if err != nil {
		return err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	a := Archive{Format: ArchiveFormat, Version: archiveVersion, Exported: now.UTC(),
		Workspace: ArchiveWorkspace{ID: string(ws.ID), Title: ws.Title, Created: ws.Created, Secret: ws.Secret},
		Complete:  reflect.ValueOf(opts.Filter).IsZero()}
	rep := &Report{Lang: opts.Lang, Tax: svc.Taxonomy()}
	if rep.Lang == "" {
		rep.Lang = "es"
	}
	a.Filter = describe(rep, opts)
	// A sensitive record left out or redacted takes its operations, which
	// hold its text, with it: the file is then not the whole workspace.
	for _, s := range res.Records {
		if s.Sensitive && !opts.IncludeSensitive {
			a.Complete = false
		}
	}
	total := len(res.Records)
	for i, s := range res.Records {
		if opts.Progress != nil && i%500 == 0 {
			opts.Progress(i, total)
		}
		if s.Status == app.StatusWithdrawn && !opts.IncludeWithdrawn {
			continue
		}
		if s.Sensitive && !opts.IncludeSensitive && !opts.Redact {
			continue
		}
		full, err := svc.Get(s.ID)
		if err != nil {
			return err
		}
		if full.Sensitive && !opts.IncludeSensitive {
			full = redact(full)
		}
		n, err := svc.CommentCount(s.ID)
		if err != nil {
			return err
		}
		a.Records = append(a.Records, RecordOf(full, n))
		if !a.Complete && !(full.Sensitive && !opts.IncludeSensitive) {
			ops, err := svc.History(s.ID)
			if err != nil {
				return err
			}
			for _, o := range ops {
				b, err := app.EncodeOp(o)
				if err != nil {
					return err
				}
				a.Operations = append(a.Operations, b)
			}
		}
	}
	if a.Complete {
		v, err := svc.Vector()
		if err != nil {
			return err
		}
		devs := make([]app.DeviceID, 0, len(v))
		for d := range v {
			devs = append(devs, d)
		}
		slices.Sort(devs)
		for _, d := range devs {
			for after := uint64(0); after < v[d]; {
				raw, err := svc.OpsAfter(d, after, 10000, 64<<20)
				if err != nil {
					return err
				}
				if len(raw) == 0 {
					return fmt.Errorf("the store holds no operations of %s after %d although its vector says so", d, after)
				}
				a.Operations = append(a.Operations, raw...)
				after += uint64(len(raw))
			}
		}
	}
	if a.Records == nil {
		a.Records = []Record{}
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", " ")
	return enc.Encode(a)
}

// Imported says what Import did.
type Imported struct {
	Workspace  app.WorkspaceID
	Created    bool // the data directory was empty: it is now a member
	Operations int  // operations in the file
	New        int  // of which this data directory lacked
}

// Import reads a JSON export into svc's data directory: into an empty one
// it recreates the workspace (as a new member of it), into a member of the
// same workspace it adds what is missing. Every operation is checked as if
// a peer had sent it (encoding, signature, hash chain); one bad operation
// stops the import with what came before it stored. Errors: app.Invalid
// for a file that is not a whole-workspace export, app.Foreign for another
// workspace's, app.Corrupt for a damaged one.
func Import(svc *app.Service, in io.Reader) (*Imported, error) {
	const op = "import"
	var a Archive
	dec := json.NewDecoder(in)
	if err := dec.Decode(&a); err != nil {
		return nil, &app.Error{Op: op, Kind: app.Invalid, Msg: "the file is not a Consulta JSON export", Err: err}
	}
	switch {
	case a.Format != ArchiveFormat:
		return nil, &app.Error{Op: op, Kind: app.Invalid, Msg: fmt.Sprintf("the file is not a Consulta JSON export (format %q)", a.Format)}
	case a.Version != archiveVersion:
		return nil, &app.Error{Op: op, Kind: app.Invalid, Msg: fmt.Sprintf("the file is a version %d export; this Consulta reads version %d", a.Version, archiveVersion)}
	case !a.Complete:
		return nil, &app.Error{Op: op, Kind: app.Invalid, Msg: fmt.Sprintf("the file holds part of the workspace (%s); only an export of the whole workspace, without filters, can be imported", a.Filter)}
	case !app.ValidID(a.Workspace.ID) || len(a.Workspace.Secret) < 16:
		return nil, &app.Error{Op: op, Kind: app.Corrupt, Msg: "the file's workspace has no valid id and secret"}
	}
	res := &Imported{Workspace: app.WorkspaceID(a.Workspace.ID), Operations: len(a.Operations)}
	ws := svc.Workspace()
	switch {
	case ws == nil:
		if _, err := svc.Join(app.WorkspaceID(a.Workspace.ID), a.Workspace.Secret, a.Workspace.Title); err != nil {
			return nil, err
		}
		res.Created = true
	case ws.ID != app.WorkspaceID(a.Workspace.ID):
		return nil, &app.Error{Op: op, Kind: app.Foreign, Msg: fmt.Sprintf("the file is of workspace %q (%s); this data directory holds %q (%s)", a.Workspace.Title, a.Workspace.ID, ws.Title, ws.ID)}
	}
	// Each device's operations, in order, in chunks, skipping what is held.
	have, err := svc.Vector()
	if err != nil {
		return nil, err
	}
	type addressed struct {
		id  app.OpID
		raw []byte
	}
	byDev := map[app.DeviceID][]addressed{}
	var devs []app.DeviceID
	for i, raw := range a.Operations {
		id, err := app.PeekOpID(raw)
		if err != nil {
			return nil, &app.Error{Op: op, Kind: app.Corrupt, Msg: fmt.Sprintf("operation %d of the file does not decode", i+1), Err: err}
		}
		if _, ok := byDev[id.Device]; !ok {
			devs = append(devs, id.Device)
		}
		byDev[id.Device] = append(byDev[id.Device], addressed{id, raw})
	}
	slices.Sort(devs)
	for _, d := range devs {
		ops := byDev[d]
		slices.SortFunc(ops, func(x, y addressed) int { return int(x.id.Seq) - int(y.id.Seq) })
		var chunk [][]byte
		flush := func() error {
			if len(chunk) == 0 {
				return nil
			}
			n, err := svc.Receive(chunk)
			res.New += n
			chunk = chunk[:0]
			return err
		}
		for _, o := range ops {
			if o.id.Seq <= have[d] {
				continue
			}
			chunk = append(chunk, o.raw)
			if len(chunk) == 1000 {
				if err := flush(); err != nil {
					return res, &app.Error{Op: op, Kind: app.KindOf(err), Msg: "an operation of the file was refused; what came before it is stored", Err: err}
				}
			}
		}
		if err := flush(); err != nil {
			return res, &app.Error{Op: op, Kind: app.KindOf(err), Msg: "an operation of the file was refused; what came before it is stored", Err: err}
		}
	}
	return res, nil
}
