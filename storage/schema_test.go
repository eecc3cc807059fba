package storage

import (
	"testing"

	"github.com/hashicorp/go-memdb"
)

// TestSchema builds the schema so that a bad index fails fast.
func TestSchema(t *testing.T) {
	if err := schema().Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := memdb.NewMemDB(schema()); err != nil {
		t.Fatal(err)
	}
}
