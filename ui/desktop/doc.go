// Package desktop is Consulta's desktop app, drawn with Fyne: the window
// delegates take notes in, rapporteurs filter and compare in, the
// secretariat counts in, and everyone amends the plan's own text in (the
// Draft tab: paragraphs, amendments marked word by word, revisions). It
// talks to package app only.
//
// main builds the Fyne app and hands it over:
//
//	w := a.NewWindow("Consulta")
//	ui := desktop.New(a, w, svc)
//	ui.Show()
//	a.Run()
//
// Screens are structs that keep references to their widgets (browser,
// filters, detail, form, dashboard, first run, draft screen, amendment
// form), so tests drive them with
// test.Tap and test.Type. Work off the UI goroutine reaches widgets only
// through fyne.Do.
package desktop
