package bundle

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/cartagena-c40/consulta/app"
)

// WriteVector writes v as a vector file: a JSON object of device id to the
// highest sequence number held. It names no one: device ids are opaque.
func WriteVector(w io.Writer, v app.Vector) error {
	if v == nil {
		v = app.Vector{}
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// ReadVector reads a vector file. Errors: app.Invalid for anything else.
func ReadVector(r io.Reader) (app.Vector, error) {
	var v app.Vector
	dec := json.NewDecoder(io.LimitReader(r, 16<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return nil, &app.Error{Op: "vector", Kind: app.Invalid, Msg: "not a vector file (a JSON object of device id to sequence number, as consulta vector writes)", Err: err}
	}
	for dev := range v {
		if dev == "" || len(dev) > maxDevice {
			return nil, &app.Error{Op: "vector", Kind: app.Invalid, Msg: fmt.Sprintf("%q is not a device id", dev)}
		}
	}
	return v, nil
}
