package cli

// consulta members, grant, revoke, remove, whoami, found: who is in the
// workspace and with which role (docs/ROLES.md). A command the rules
// would not apply is refused before anything is written (exit 2), naming
// the role it needs.

import (
	"fmt"
	"strings"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/roles"
)

func init() {
	commands = append(commands,
		command{"members", "the workspace's members, their roles and laptops: members [--json]", false, cmdMembers},
		command{"whoami", "this laptop's member and role: whoami [--json]", false, cmdWhoami},
		command{"grant", "give a member a role (secretariat only): grant MEMBER rapporteur|secretariat", false, cmdGrant},
		command{"revoke", "take a role from a member (secretariat only): revoke MEMBER rapporteur|secretariat", false, cmdRevoke},
		command{"remove", "shut a member, or one lost laptop (--laptop), out of the workspace: remove MEMBER | remove --laptop ID", false, cmdRemove},
		command{"found", "give a workspace from before roles its roles, this laptop's member its founder: found [--cofounder MEMBER,...]", false, cmdFound},
	)
}

// memberJSON is a member as members --json prints it.
type memberJSON struct {
	ID      string       `json:"id"`
	Name    string       `json:"name"`
	Role    string       `json:"role"`
	Founder bool         `json:"founder,omitempty"`
	Removed bool         `json:"removed,omitempty"`
	Laptops []app.Laptop `json:"laptops"`
}

func toMemberJSON(m app.Member) memberJSON {
	role := string(m.Role)
	if m.Removed {
		role = "removed"
	}
	return memberJSON{ID: m.ID, Name: m.Name(), Role: role, Founder: m.Founder, Removed: m.Removed, Laptops: m.Devices}
}

func cmdMembers(c *ctx, args []string) error {
	fs := newFlags(c, "members")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	ms, err := c.svc.Members()
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]memberJSON, len(ms))
		for i, m := range ms {
			out[i] = toMemberJSON(m)
		}
		return writeJSON(c.env.Stdout, out)
	}
	if c.svc.Authority().Open() {
		fmt.Fprintln(c.env.Stderr, "this workspace has no roles yet: everyone may do everything (consulta found gives it roles)")
	}
	for _, m := range ms {
		c.out("%-16s %-12s %s\n", m.ID, roleWord(m), laptops(m))
	}
	return nil
}

func roleWord(m app.Member) string {
	switch {
	case m.Removed:
		return "removed"
	case m.Founder:
		return "founder"
	}
	return string(m.Role)
}

func laptops(m app.Member) string {
	var out []string
	for _, d := range m.Devices {
		s := d.Name
		if s == "" {
			s = string(d.ID)
		}
		if d.This {
			s += " (this laptop)"
		}
		if d.Removed {
			s += " (removed)"
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

func cmdWhoami(c *ctx, args []string) error {
	fs := newFlags(c, "whoami")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	m, err := c.svc.Whoami()
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.env.Stdout, toMemberJSON(m))
	}
	c.out("%s %s\n", m.ID, roleWord(m))
	return nil
}

func cmdGrant(c *ctx, args []string) error  { return roleCommand(c, "grant", args) }
func cmdRevoke(c *ctx, args []string) error { return roleCommand(c, "revoke", args) }

func roleCommand(c *ctx, name string, args []string) error {
	pos, err := parse(newFlags(c, name), args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("%s needs a member and a role: %s MEMBER rapporteur|secretariat", name, name)
	}
	m, err := c.svc.FindMember(pos[0])
	if err != nil {
		return err
	}
	role := roles.Role(strings.ToLower(pos[1]))
	if name == "grant" {
		err = c.svc.Grant(m.ID, role)
	} else {
		err = c.svc.Revoke(m.ID, role)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stderr, "%s %s: %s\n", name, m.Name(), role)
	return nil
}

func cmdRemove(c *ctx, args []string) error {
	fs := newFlags(c, "remove")
	laptop := fs.String("laptop", "", "remove only this laptop (a lost one), by its id")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *laptop != "" {
		if len(pos) != 0 {
			return usagef("remove --laptop ID takes nothing else")
		}
		if err := c.svc.RemoveLaptop(app.DeviceID(*laptop)); err != nil {
			return err
		}
		fmt.Fprintf(c.env.Stderr, "removed laptop %s; what it already holds cannot be taken back\n", *laptop)
		return nil
	}
	if len(pos) != 1 {
		return usagef("remove needs a member: remove MEMBER, or remove --laptop ID")
	}
	m, err := c.svc.FindMember(pos[0])
	if err != nil {
		return err
	}
	if err := c.svc.RemoveMember(m.ID); err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stderr, "removed %s; what their laptops already hold cannot be taken back\n", m.Name())
	return nil
}

func cmdFound(c *ctx, args []string) error {
	fs := newFlags(c, "found")
	co := fs.String("cofounder", "", "members who found it too, comma-separated")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	var ids []string
	for _, w := range list(*co) {
		m, err := c.svc.FindMember(w)
		if err != nil {
			return err
		}
		ids = append(ids, m.ID)
	}
	if err := c.svc.Found(ids...); err != nil {
		return err
	}
	fmt.Fprintln(c.env.Stderr, "this workspace has roles now: this laptop's member founds it; everyone already in it keeps the secretariat until it is revoked")
	return nil
}

func init() {
	commands = append(commands,
		command{"claim", "say this laptop is a member's other laptop (they, or the secretariat, then link it): claim MEMBER", false, cmdClaim},
		command{"link", "link a laptop to a member (that member or the secretariat): link LAPTOP [--member MEMBER]", false, cmdLink},
	)
}

func cmdClaim(c *ctx, args []string) error {
	pos, err := parse(newFlags(c, "claim"), args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("claim needs the member this laptop belongs to: claim MEMBER")
	}
	m, err := c.svc.FindMember(pos[0])
	if err != nil {
		return err
	}
	if err := c.svc.ClaimMember(m.ID); err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stderr, "this laptop says it is %s's; it counts as theirs once they or the secretariat link it\n", m.Name())
	return nil
}

func cmdLink(c *ctx, args []string) error {
	fs := newFlags(c, "link")
	member := fs.String("member", "", "the member (default: this laptop's)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("link needs a laptop: link LAPTOP [--member MEMBER]")
	}
	laptop, err := c.svc.FindMember(pos[0])
	if err != nil {
		return err
	}
	var m app.Member
	if *member == "" {
		m, err = c.svc.Whoami()
	} else {
		m, err = c.svc.FindMember(*member)
	}
	if err != nil {
		return err
	}
	var dev app.DeviceID
	for _, d := range laptop.Devices {
		if string(d.ID) == pos[0] || strings.HasPrefix(string(d.ID), pos[0]) || strings.EqualFold(d.Name, pos[0]) {
			dev = d.ID
		}
	}
	if dev == "" && len(laptop.Devices) == 1 {
		dev = laptop.Devices[0].ID
	}
	if dev == "" {
		return usagef("give the laptop's id: %s has several", laptop.Name())
	}
	if err := c.svc.LinkLaptop(dev, m.ID); err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stderr, "linked laptop %s to %s\n", dev, m.Name())
	return nil
}
