package draftdoc

import "github.com/cartagena-c40/consulta/app"

// labels are the words of the documents in each language. The draft's
// own text, names and rationales are written as they were typed.
var labels = map[string][4]string{ // es, en, pt, fr
	"compilation":                 {"Compilación de enmiendas", "Compilation of amendments", "Compilação de emendas", "Compilation des amendements"},
	"draft":                       {"Proyecto", "Draft", "Projeto", "Projet"},
	"text as of":                  {"Última revisión", "Latest revision", "Última revisão", "Dernière révision"},
	"generated":                   {"Generado", "Generated", "Gerado", "Généré"},
	"selection":                   {"Selección", "Selection", "Seleção", "Sélection"},
	"all amendments":              {"todas las enmiendas", "all amendments", "todas as emendas", "tous les amendements"},
	"pending only":                {"solo las enmiendas pendientes", "pending amendments only", "apenas as emendas pendentes", "amendements en suspens seulement"},
	"section":                     {"Sección", "Section", "Seção", "Section"},
	"whole draft":                 {"todo el texto", "the whole draft", "todo o texto", "tout le texte"},
	"proponent":                   {"Proponente", "Proponent", "Proponente", "Auteur de la proposition"},
	"everyone":                    {"todos", "everyone", "todos", "tous"},
	"attribution":                 {"Autoría", "Attribution", "Autoria", "Attribution"},
	"names shown":                 {"con nombres", "names shown", "com nomes", "noms indiqués"},
	"names withheld":              {"sin nombres", "names withheld", "sem nomes", "sans les noms"},
	"paragraphs":                  {"Párrafos", "Paragraphs", "Parágrafos", "Paragraphes"},
	"amendments":                  {"Enmiendas", "Amendments", "Emendas", "Amendements"},
	"proposed":                    {"Párrafos nuevos propuestos", "Proposed new paragraphs", "Novos parágrafos propostos", "Nouveaux paragraphes proposés"},
	"legend":                      {"Texto añadido subrayado; texto suprimido tachado.", "Inserted text underlined; deleted text struck through.", "Texto inserido sublinhado; texto suprimido riscado.", "Texte ajouté souligné ; texte supprimé barré."},
	"tracked legend":              {"Los cambios son revisiones de Word y LibreOffice: se revisan, aceptan o rechazan uno por uno.", "The changes are Word and LibreOffice revisions: review, accept or reject them one by one.", "As alterações são revisões do Word e do LibreOffice: revise, aceite ou rejeite uma a uma.", "Les modifications sont des révisions Word et LibreOffice : à examiner, accepter ou refuser une à une."},
	"action/modify":               {"Modificar", "Modify", "Modificar", "Modifier"},
	"action/delete":               {"Suprimir", "Delete", "Suprimir", "Supprimer"},
	"action/move":                 {"Trasladar", "Move", "Mover", "Déplacer"},
	"action/add":                  {"Añadir", "Add", "Adicionar", "Ajouter"},
	"proposed by":                 {"Propuesta de", "Proposed by", "Proposta de", "Proposé par"},
	"supported by":                {"Apoyos", "Supported by", "Apoios", "Soutiens"},
	"opposed by":                  {"Objeciones", "Opposed by", "Objeções", "Objections"},
	"rationale":                   {"Justificación", "Rationale", "Justificativa", "Justification"},
	"status":                      {"Estado", "Status", "Situação", "Statut"},
	"new paragraph":               {"Nuevo párrafo propuesto", "Proposed new paragraph", "Novo parágrafo proposto", "Nouveau paragraphe proposé"},
	"move to follow":              {"Trasladar a continuación de", "Move to follow", "Mover para depois de", "Déplacer après"},
	"against":                     {"Comparada con", "Compared with", "Comparada com", "Comparée avec"},
	"the start":                   {"el comienzo", "the start", "o início", "le début"},
	"zero draft":                  {"Borrador cero", "Zero draft", "Minuta zero", "Avant-projet"},
	"revision":                    {"Revisión", "Revision", "Revisão", "Révision"},
	"issued":                      {"Emitida", "Issued", "Emitida", "Publiée"},
	"issued by":                   {"Emitida por", "Issued by", "Emitida por", "Publiée par"},
	"compared with":               {"comparada con", "compared with", "comparada com", "comparée avec"},
	"comparison":                  {"Comparación", "Comparison", "Comparação", "Comparaison"},
	"status table":                {"Estado de los párrafos", "Status of paragraphs", "Situação dos parágrafos", "État des paragraphes"},
	"paragraph":                   {"Párrafo", "Paragraph", "Parágrafo", "Paragraphe"},
	"last change":                 {"Último cambio", "Last change", "Última alteração", "Dernière modification"},
	"memorandum":                  {"Memorando de cambios", "Memorandum of changes", "Memorando de alterações", "Mémorandum des modifications"},
	"was":                         {"Número anterior", "Previous number", "Número anterior", "Numéro précédent"},
	"change":                      {"Cambio", "Change", "Alteração", "Modification"},
	"date":                        {"Fecha", "Date", "Data", "Date"},
	"decided":                     {"Enmiendas decididas", "Amendments decided", "Emendas decididas", "Amendements tranchés"},
	"total":                       {"Total", "Total", "Total", "Total"},
	"page":                        {"Página", "Page", "Página", "Page"},
	"nothing":                     {"Nada que mostrar con esta selección.", "Nothing to show with this selection.", "Nada a mostrar com esta seleção.", "Rien à afficher avec cette sélection."},
	"no memorandum":               {"Ninguna revisión emitida todavía.", "No revision issued yet.", "Nenhuma revisão emitida ainda.", "Aucune révision publiée pour l'instant."},
	"change/added":                {"añadido", "added", "adicionado", "ajouté"},
	"change/deleted":              {"suprimido", "deleted", "suprimido", "supprimé"},
	"change/modified":             {"modificado", "modified", "modificado", "modifié"},
	"change/moved":                {"trasladado", "moved", "movido", "déplacé"},
	"change/status":               {"cambio de estado", "status changed", "mudança de situação", "changement de statut"},
	"status/open":                 {"Abierto", "Open", "Aberto", "Ouvert"},
	"status/bracketed":            {"Entre corchetes", "Bracketed", "Entre colchetes", "Entre crochets"},
	"status/agreed-ad-ref":        {"Acordado ad ref", "Agreed ad ref", "Acordado ad ref", "Agréé ad ref"},
	"status/agreed":               {"Acordado", "Agreed", "Acordado", "Agréé"},
	"status/deleted":              {"Suprimido", "Deleted", "Suprimido", "Supprimé"},
	"status/pending":              {"Pendiente", "Pending", "Pendente", "En suspens"},
	"status/accepted":             {"Aceptada", "Accepted", "Aceita", "Acceptée"},
	"status/accepted-as-modified": {"Aceptada con cambios", "Accepted as modified", "Aceita com modificações", "Acceptée telle que modifiée"},
	"status/merged":               {"Fusionada", "Merged", "Mesclada", "Fusionnée"},
	"status/not-retained":         {"No retenida", "Not retained", "Não mantida", "Non retenue"},
	"status/withdrawn":            {"Retirada", "Withdrawn", "Retirada", "Retirée"},
}

// L is the word for key in the document's language.
func (d *Doc) L(key string) string {
	l, ok := labels[key]
	if !ok {
		return key
	}
	for i, x := range app.Languages {
		if x == d.Opts.Lang {
			return l[i]
		}
	}
	return l[0]
}

// StatusLabel names a paragraph's or an amendment's status.
func (d *Doc) StatusLabel(s app.Status) string {
	if s == "" {
		s = app.StatusOpen
	}
	return d.L("status/" + string(s))
}

// RevLabel names revision r: "Rev.2", or the zero draft.
func (d *Doc) RevLabel(r *app.RevisionText) string {
	if r.Number == 0 {
		return d.L("zero draft")
	}
	return r.Label()
}
