// Package assets holds what Consulta embeds: the taxonomy, icons and
// translations.
//
// The taxonomy (taxonomy.json) is the single source of truth for the
// categories used to classify consultation material: the themes, derived
// from the principles and premises of the Cartagena+40 process (with their
// sub-themes), the sub-regions and their countries, the stakeholder groups,
// the populations in need of protection and the age, gender and diversity
// tags. Every entry has a stable code and labels in Spanish (es), English
// (en), Portuguese (pt) and French (fr).
package assets

import "embed"

// TaxonomyJSON is the taxonomy of the consultation process, as JSON, taken
// from the "Principles and Premises of the C+40 Process" document. Its
// top-level keys are "version", "source", "themes" (each possibly with
// "children"), "subregions" (each with its "countries"), "countries",
// "stakeholders", "populations" and "tags"; every entry has a "code" and
// "labels" keyed by language (es, en, pt, fr). Codes are lowercase
// hyphenated identifiers, except countries, which use ISO 3166-1 alpha-2.
//
//go:embed taxonomy.json
var TaxonomyJSON []byte

// IconPNG is the application icon, 512x512 (drawn from icon.svg).
//
//go:embed icon.png
var IconPNG []byte

// Translations holds the desktop app's strings, one JSON file per language
// under translations/ (en.json, es.json, pt.json, fr.json), in the format
// fyne.io/fyne/v2/lang reads.
//
//go:embed translations
var Translations embed.FS

// FontRegular and FontBold are DejaVu Sans, embedded in PDF exports so
// that every accent of the four languages renders (see fonts/README.md).
//
//go:embed fonts/DejaVuSans.ttf
var FontRegular []byte

// FontBold is DejaVu Sans Bold.
//
//go:embed fonts/DejaVuSans-Bold.ttf
var FontBold []byte
