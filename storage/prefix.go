package storage

import (
	"encoding/binary"

	"github.com/cartagena-c40/consulta/app"
)

// Every Badger key starts with one of these bytes. They are grouped by
// purpose. A prefix that is retired stays listed here and is never reused.
const (
	// Metadata: single keys.
	prefixSchema    byte = 0x01 // schema version, uint32 big-endian
	prefixWorkspace byte = 0x02 // the workspace, CBOR
	prefixIdentity  byte = 0x03 // this device's identity and private key, CBOR
	prefixGen       byte = 0x04 // uint64: how many writes the store has seen

	// Operations: the source of truth.
	prefixOp       byte = 0x10 // device(16) seq(8) -> signed operation, CBOR
	prefixRecordOp byte = 0x11 // record(26) device(16) seq(8) -> nothing; a record's operations, but for the create its state may name (schema 3)
	prefixDevice   byte = 0x12 // device(16) -> public key; from OpDevice announcements
	prefixVector   byte = 0x13 // device(16) -> uint64: every seq up to it is stored
	prefixRoleOp   byte = 0x14 // device(16) seq(8) -> nothing: the role operations (authority.go)

	// Derived state, from operations. From schema 3 a record's state is
	// also what finds its create when the create has no link: check
	// reports a create that nothing finds.
	prefixRecord   byte = 0x20 // record(26) -> materialized record without its text, CBOR (storedRecord: from schema 3 it may name the operation holding the text, and its unlinked create)
	prefixWords    byte = 0x21 // the word index as of a generation: see snapshot.go
	prefixBody     byte = 0x22 // record(26) -> its body, UTF-8, when no operation holds it; in schema 2, 0xFF and the key of the operation that holds it; kept apart so start-up reads only summaries
	prefixAwait    byte = 0x23 // record(26) -> nothing: operations are stored but not yet its create (schema 2)
	prefixAuthWait byte = 0x24 // record(26) -> nothing: an operation of it names role operations not yet stored
	prefixStale    byte = 0x25 // record(26) -> nothing: to refold under the roles, after the write that changed them (authority.go)

	// Local state of this laptop, never synced: drafts of open forms and
	// settings, under names chosen by package app.
	prefixLocal byte = 0x30 // name -> value
)

// schemaVersion is the version of the key layout this code writes.
// 2: prefixAwait marks records whose create has not arrived; a body may
// name the operation that holds it.
// 3: a record's state names the operation that holds its text, instead of
// a body key doing so, and the create written with it, which has no
// record-operation link: two keys per new record instead of four. Stores
// of schema 2 are read as they are (noMigration); a record moves to the
// new form when it is next written. Older builds refuse schema 3, which
// they would read without texts.
const schemaVersion uint32 = 3

var schemaKey = []byte{prefixSchema}

func workspaceKey() []byte { return []byte{prefixWorkspace} }
func genKey() []byte       { return []byte{prefixGen} }
func wordsKey() []byte     { return []byte{prefixWords} }
func identityKey() []byte  { return []byte{prefixIdentity} }

func opKey(dev app.DeviceID, seq uint64) []byte {
	k := make([]byte, 0, 1+16+8)
	k = append(k, prefixOp)
	k = append(k, dev...)
	return binary.BigEndian.AppendUint64(k, seq)
}

func devicePrefix(dev app.DeviceID) []byte {
	return append([]byte{prefixOp}, dev...)
}

func recordOpKey(rec app.RecordID, dev app.DeviceID, seq uint64) []byte {
	k := make([]byte, 0, 1+26+16+8)
	k = append(k, prefixRecordOp)
	k = append(k, rec...)
	k = append(k, dev...)
	return binary.BigEndian.AppendUint64(k, seq)
}

func recordOpPrefix(rec app.RecordID) []byte {
	return append([]byte{prefixRecordOp}, rec...)
}

// splitRecordOpKey returns the operation address in a recordOp key.
func splitRecordOpKey(k []byte) (app.DeviceID, uint64, bool) {
	if len(k) != 1+26+16+8 {
		return "", 0, false
	}
	return app.DeviceID(k[27:43]), binary.BigEndian.Uint64(k[43:]), true
}

func deviceKey(dev app.DeviceID) []byte { return append([]byte{prefixDevice}, dev...) }

func vectorKey(dev app.DeviceID) []byte { return append([]byte{prefixVector}, dev...) }

func recordKey(id app.RecordID) []byte { return append([]byte{prefixRecord}, id...) }

func bodyKey(id app.RecordID) []byte { return append([]byte{prefixBody}, id...) }

func awaitKey(id app.RecordID) []byte { return append([]byte{prefixAwait}, id...) }

func authWaitKey(id app.RecordID) []byte { return append([]byte{prefixAuthWait}, id...) }

func staleKey(id app.RecordID) []byte { return append([]byte{prefixStale}, id...) }

func roleOpKey(dev app.DeviceID, seq uint64) []byte {
	k := append([]byte{prefixRoleOp}, dev...)
	return binary.BigEndian.AppendUint64(k, seq)
}

func localKey(name string) []byte { return append([]byte{prefixLocal}, name...) }
