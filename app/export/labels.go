package export

import "github.com/cartagena-c40/consulta/app"

// labels are the words of the documents in each language. Record text is
// exported as written; only these and the taxonomy's labels are translated.
var labels = map[string][4]string{ // es, en, pt, fr
	"consolidated input":  {"Insumo consolidado", "Consolidated input", "Contribuição consolidada", "Contribution consolidée"},
	"contents":            {"Índice", "Contents", "Sumário", "Table des matières"},
	"workspace":           {"Proceso", "Process", "Processo", "Processus"},
	"meetings":            {"Reuniones", "Meetings", "Reuniões", "Réunions"},
	"dates":               {"Fechas", "Dates", "Datas", "Dates"},
	"filter":              {"Filtro", "Filter", "Filtro", "Filtre"},
	"all records":         {"todos los registros", "all records", "todos os registros", "toutes les fiches"},
	"generated":           {"Generado", "Generated", "Gerado", "Généré"},
	"records":             {"Registros", "Records", "Registros", "Fiches"},
	"consolidated":        {"Propuestas consolidadas", "Consolidated proposals", "Propostas consolidadas", "Propositions consolidées"},
	"proposals":           {"Propuestas", "Proposals", "Propostas", "Propositions"},
	"inputs":              {"Aportes de las partes interesadas", "Stakeholder inputs", "Contribuições das partes interessadas", "Contributions des parties prenantes"},
	"notes":               {"Notas", "Notes", "Notas", "Notes"},
	"sources":             {"Fuentes", "Sources", "Fontes", "Sources"},
	"contributors":        {"Contribuyentes", "Contributors", "Contribuintes", "Contributeurs"},
	"summary":             {"Resumen por tema y subregión", "Summary by theme and sub-region", "Resumo por tema e sub-região", "Résumé par thème et sous-région"},
	"annex":               {"Anexo: registros incluidos", "Annex: records included", "Anexo: registros incluídos", "Annexe : fiches incluses"},
	"theme":               {"Tema", "Theme", "Tema", "Thème"},
	"total":               {"Total", "Total", "Total", "Total"},
	"id":                  {"Id", "Id", "Id", "Id"},
	"kind":                {"Tipo", "Kind", "Tipo", "Type"},
	"title":               {"Título", "Title", "Título", "Titre"},
	"text":                {"Texto", "Text", "Texto", "Texte"},
	"author":              {"Autor", "Author", "Autor", "Auteur"},
	"organization":        {"Organización", "Organization", "Organização", "Organisation"},
	"country":             {"País", "Country", "País", "Pays"},
	"subregion":           {"Subregión", "Sub-region", "Sub-região", "Sous-région"},
	"themes":              {"Temas", "Themes", "Temas", "Thèmes"},
	"stakeholder":         {"Grupo de partes interesadas", "Stakeholder group", "Grupo de partes interessadas", "Groupe de parties prenantes"},
	"populations":         {"Poblaciones", "Populations", "Populações", "Populations"},
	"tags":                {"Edad, género y diversidad", "Age, gender and diversity", "Idade, gênero e diversidade", "Âge, genre et diversité"},
	"status":              {"Estado", "Status", "Status", "Statut"},
	"meeting":             {"Reunión", "Meeting", "Reunião", "Réunion"},
	"date":                {"Fecha", "Date", "Data", "Date"},
	"language":            {"Idioma", "Language", "Idioma", "Langue"},
	"supporters":          {"Apoyos", "Supporters", "Apoios", "Soutiens"},
	"merged into":         {"Fusionado en", "Merged into", "Mesclado em", "Fusionné dans"},
	"updated":             {"Actualizado", "Updated", "Atualizado", "Mis à jour"},
	"no group":            {"Sin grupo", "No group", "Sem grupo", "Sans groupe"},
	"page":                {"Página", "Page", "Página", "Page"},
	"none":                {"(ninguna)", "(none)", "(nenhuma)", "(aucune)"},
	"withdrawn included":  {"incluidos los retirados", "withdrawn included", "incluindo os retirados", "retirées incluses"},
	"notes included":      {"incluidas las notas", "notes included", "incluindo as notas", "notes incluses"},
	"kind/meeting":        {"Reunión", "Meeting", "Reunião", "Réunion"},
	"kind/note":           {"Nota", "Note", "Nota", "Note"},
	"kind/proposal":       {"Propuesta", "Proposal", "Proposta", "Proposition"},
	"kind/input":          {"Aporte", "Input", "Contribuição", "Contribution"},
	"kind/comment":        {"Comentario", "Comment", "Comentário", "Commentaire"},
	"status/draft":        {"Borrador", "Draft", "Rascunho", "Brouillon"},
	"status/submitted":    {"Presentada", "Submitted", "Apresentada", "Soumise"},
	"status/under-review": {"En revisión", "Under review", "Em revisão", "En examen"},
	"status/merged":       {"Fusionada", "Merged", "Mesclada", "Fusionnée"},
	"status/adopted":      {"Adoptada", "Adopted", "Adotada", "Adoptée"},
	"status/withdrawn":    {"Retirado", "Withdrawn", "Retirado", "Retiré"},
	"status/active":       {"Activo", "Active", "Ativo", "Actif"},
}

// label is the word for key in lang.
func label(lang app.Lang, key string) string {
	l, ok := labels[key]
	if !ok {
		return key
	}
	for i, x := range app.Languages {
		if x == lang {
			return l[i]
		}
	}
	return l[0]
}
