package replication

import (
	"crypto/rand"
	"time"

	"github.com/cartagena-c40/consulta/app"
)

// initOpen makes svc the first laptop of a workspace without roles (its id
// names no founder, as before roles): everyone may do everything. The
// sync tests are about moving operations between laptops, of whoever;
// the rules of roles are tested in app/roles and storage, and the bench-
// marks of first syncs use founded workspaces (Init), to count what
// judging every operation costs.
func initOpen(svc *app.Service, title string) error {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	_, err := svc.Join(app.WorkspaceID(app.NewID(time.Now())), secret, title)
	return err
}
