package bundle

import (
	"fmt"
	"io"
	"os"

	"github.com/cartagena-c40/consulta/app"
)

// Result says what an import did.
type Result struct {
	Operations int          // operations in the bundle
	New        int          // stored by this import
	Held       int          // held here already
	Waiting    int          // not applied: earlier operations of their device are missing here
	Writer     app.DeviceID // the laptop that wrote the bundle
}

// ImportFile is Import of the file at path.
func ImportFile(svc *app.Service, path string) (Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return Result{}, &app.Error{Op: "import", Kind: app.Invalid, Msg: fmt.Sprintf("cannot read %s", path), Err: err}
	}
	defer f.Close()
	return Import(svc, f)
}

// Import reads a bundle from r, verifies it whole, and applies what this
// laptop can: each device's operations after those it holds, when it
// holds those before them. A bundle that does not verify (another
// workspace, a key this laptop never had, damaged, cut short) is refused
// with app.Invalid and nothing is written.
//
// The operations then go through app.Service.Receive, in chunks, with
// the checks a LAN peer's get. Only a member of the workspace can seal
// operations these checks refuse; should one do so, the chunks before the
// refused one stay stored (they are valid) and the Result counts them.
func Import(svc *app.Service, r io.Reader) (Result, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return Result{}, &app.Error{Op: "import", Kind: app.Invalid, Msg: "cannot read the bundle", Err: err}
	}
	b, err := open(svc, data)
	if err != nil {
		return Result{}, err
	}
	return apply(svc, b)
}

// apply stores what b holds that svc lacks, device by device.
func apply(svc *app.Service, b *opened) (Result, error) {
	res := Result{Operations: len(b.frames), Writer: b.writer}
	have, err := svc.Vector()
	if err != nil {
		return res, err
	}
	for _, run := range b.runs() {
		held := have.Get(run[0].dev)
		if run[0].seq > held+1 {
			res.Waiting += len(run)
			continue
		}
		skip := min(held-run[0].seq+1, uint64(len(run)))
		res.Held += int(skip)
		if err := receive(svc, run[skip:], &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// receive hands one device's operations to svc in chunks.
func receive(svc *app.Service, run []frame, res *Result) error {
	for len(run) > 0 {
		n, size := 0, 0
		for n < len(run) && n < chunkOps && (n == 0 || size+len(run[n].op) <= chunkBytes) {
			size += len(run[n].op)
			n++
		}
		raw := make([][]byte, n)
		for i := range n {
			raw[i] = run[i].op
		}
		d := svc.Decode(raw)
		for i, id := range d.IDs() {
			if id.Device != run[i].dev || id.Seq != run[i].seq {
				return &app.Error{Op: "import", Kind: app.Corrupt, Msg: fmt.Sprintf("the bundle puts operation %s at %s/%d", id, run[i].dev, run[i].seq)}
			}
		}
		stored, err := svc.ReceiveDecoded(d)
		if err != nil {
			return err
		}
		res.New += stored
		res.Held += n - stored
		run = run[n:]
	}
	return nil
}
