package replication

import (
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
)

// TestOlderBuildWithoutDrafts: a laptop whose Consulta predates drafts
// (no FeatureDrafts) is not sent a draft, nor what its author wrote
// after it, but keeps getting everything else; the others say it needs
// updating and still see themselves even with it.
func TestOlderBuildWithoutDrafts(t *testing.T) {
	a := founder(t, "a") // the older build
	b, c := a.member("b"), a.member("c")
	b.notes(3, "antes") // before the draft: a gets them
	if _, err := b.svc.ImportDraft(app.NewDraft{Title: "Plan de Acción", Blocks: []app.DraftBlock{
		{Level: 1, Text: "Capítulo I"}, {Text: "Fortalecer los sistemas de asilo."}}}, "Secretaría"); err != nil {
		t.Fatal(err)
	}
	b.notes(2, "después") // after it, in b's chain: held back from a
	c.notes(4, "c")       // c never drafted: a gets them
	_, addrA := a.serve(Options{oldBuild: true})
	rb, _ := b.serve(Options{Peers: []string{addrA}, MinPeers: 1})
	c.serve(Options{Peers: []string{addrA}, MinPeers: 1})
	waitFor(t, 10*time.Second, "a did not get what it can read", func() bool { return a.count() == 3+4 })
	// a holds b's chain up to the draft, and all of c's.
	va, vb, vc := a.vector(), b.vector(), c.vector()
	dev := b.svc.Device()
	if va[dev] >= vb[dev] || va[c.svc.Device()] != vc[c.svc.Device()] {
		t.Fatalf("a holds %d of b's %d operations and %d of c's %d", va[dev], vb[dev], va[c.svc.Device()], vc[c.svc.Device()])
	}
	if ds, err := a.svc.DraftDocs(); err != nil || len(ds) != 0 {
		t.Fatalf("the older build holds drafts: %v %v", ds, err)
	}
	waitFor(t, 5*time.Second, "b does not say that a needs updating", func() bool {
		peers, err := rb.Peers()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range peers {
			if p.Connected && p.Outdated && p.Pending == 0 {
				return true
			}
		}
		return false
	})
	if !contains(b.log.String(), "older Consulta that cannot read drafts") {
		t.Errorf("b's log does not say why:\n%s", b.log)
	}
	if contains(a.log.String(), "misbehaving") || contains(b.log.String(), "misbehaving") {
		t.Errorf("a drafting operation reached the older build:\n%s\n%s", a.log, b.log)
	}
}
