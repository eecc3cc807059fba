package roles

import "slices"

// Role is what a member may do in a workspace.
type Role string

// The roles, each able to do what the one before it may.
const (
	Delegate    Role = "delegate"
	Rapporteur  Role = "rapporteur"
	Secretariat Role = "secretariat"
)

// Roles lists the roles from the least to the most.
var Roles = []Role{Delegate, Rapporteur, Secretariat}

// Action is what an operation does, as far as permission goes.
type Action string

// The actions.
const (
	Create   Action = "create"   // records, comments, amendments
	Support  Action = "support"  // support and oppose
	EditOwn  Action = "edit-own" // edit or withdraw what one's member created
	Merge    Action = "merge"    // merge and unmerge proposals
	Settle   Action = "resolve"  // settle competing versions of a record (resolve)
	Decide   Action = "decide"   // decide amendments, set a paragraph's status
	Revise   Action = "revise"   // import a draft, issue a revision
	EditAny  Action = "edit-any" // edit or withdraw anyone's records
	Settings Action = "settings" // the workspace's title and settings
	Grant    Action = "grant"    // grant and revoke roles, link laptops
	Remove   Action = "remove"   // remove members and laptops
)

// Table is what each role adds to the one before it: the one place that
// says who may do what.
var Table = map[Role][]Action{
	Delegate:    {Create, Support, EditOwn},
	Rapporteur:  {Merge, Settle, Decide},
	Secretariat: {Revise, EditAny, Settings, Grant, Remove},
}

// May reports whether role r may do a.
func (r Role) May(a Action) bool {
	for _, x := range Roles {
		if slices.Contains(Table[x], a) {
			return true
		}
		if x == r {
			return false
		}
	}
	return false
}

// Needed is the least role that may do a.
func Needed(a Action) Role {
	for _, r := range Roles {
		if slices.Contains(Table[r], a) {
			return r
		}
	}
	return Secretariat
}

// Valid reports whether r is a role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }
