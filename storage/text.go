// Where a record's text is kept: in the operation that set it, which the
// record's state names (schema 3), or under a body key when no operation
// holds it (a merged text); and reading it back.

package storage

import (
	"errors"
	"fmt"

	"github.com/cartagena-c40/consulta/app"
	"github.com/dgraph-io/badger/v4"
)

// bodyRef starts a body key's value that names the operation holding the
// text instead of holding it (UTF-8 text never contains the byte 0xFF):
// most records' text is that of the operation that created or last set
// it, and storing it twice doubled what a first sync writes.
const bodyRef = 0xFF

// bodySource returns the operation among ops whose patch sets the body to
// body, nil if none does (a merged text, or none).
func bodySource(ops []*app.Op, body string) *app.Op {
	for i := len(ops) - 1; i >= 0; i-- {
		if p := ops[i].Patch; p != nil && p.Body != nil && *p.Body == body && body != "" {
			return ops[i]
		}
	}
	return nil
}

// bodyText returns the text a body key's value v stands for: v itself, or
// the body of the operation it names.
func bodyText(txn *badger.Txn, v []byte) ([]byte, error) {
	if len(v) == 0 || v[0] != bodyRef {
		return v, nil
	}
	return opTextAt(txn, v[1:])
}

// opTextAt returns the text of the operation stored under key.
func opTextAt(txn *badger.Txn, key []byte) ([]byte, error) {
	enc, err := opValue(txn, key)
	if err != nil {
		return nil, err
	}
	return opText(enc)
}

// opText returns the text the encoded operation enc sets.
func opText(enc []byte) ([]byte, error) {
	o, err := app.DecodeOp(enc)
	if err != nil {
		return nil, err
	}
	if o.Patch == nil || o.Patch.Body == nil {
		return nil, fmt.Errorf("operation %s sets no text", o.ID())
	}
	return []byte(*o.Patch.Body), nil
}

// errTextMissing is a text that names an operation the store does not hold.
var errTextMissing = errors.New("the operation holding a text is missing")

// opValue reads the operation stored under key, which a body names.
func opValue(txn *badger.Txn, key []byte) ([]byte, error) {
	if len(key) != 1+16+8 || key[0] != prefixOp {
		return nil, fmt.Errorf("a text names %x, which is no operation's key: %w", key, errTextMissing)
	}
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, fmt.Errorf("a text names operation %x, which is missing: %w", key[1:], errTextMissing)
	}
	if err != nil {
		return nil, err
	}
	return item.ValueCopy(nil)
}
