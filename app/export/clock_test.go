package export

import (
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
)

// TestFutureDateNotExported: a record stamped two years ahead (written on
// a laptop whose clock was wrong) is exported as written at the latest now.
func TestFutureDateNotExported(t *testing.T) {
	future := app.MakeHLC(time.Now().AddDate(2, 0, 0).UnixMilli(), 0)
	r := &app.Record{ID: "01J00000000000000000000000", Kind: app.KindNote, Created: future, Updated: future + 1}
	j := RecordOf(r, 0)
	if now := time.Now(); j.Created.After(now) || j.Updated.After(now) {
		t.Fatalf("exported as created %v, updated %v", j.Created, j.Updated)
	}
}
