package extract

import (
	"encoding/json"
	"fmt"
	"strings"
)

// fedRegDoc is the part of a Federal Register API document (or a search
// result) that carries text and metadata.
type fedRegDoc struct {
	Title           string `json:"title"`
	Abstract        string `json:"abstract"`
	Action          string `json:"action"`
	Dates           string `json:"dates"`
	PublicationDate string `json:"publication_date"`
	HTMLURL         string `json:"html_url"`
	DocumentNumber  string `json:"document_number"`
	Body            string `json:"body"`
	FullText        string `json:"full_text"`
	RawText         string `json:"raw_text"`
	BodyHTML        string `json:"body_html"`
	Excerpts        string `json:"excerpts"`
	Agencies        []struct {
		Name string `json:"name"`
	} `json:"agencies"`
}

// readJSON reads Federal Register API JSON: one document (title, abstract,
// body when present, publication_date, html_url) or a page of results, whose
// documents become paragraphs.
func readJSON(in Input) (doc, error) {
	var page struct {
		fedRegDoc
		Results []fedRegDoc `json:"results"`
	}
	if err := json.Unmarshal(trimBOM(in.Body), &page); err != nil {
		return doc{}, fmt.Errorf("parse json: %w", err)
	}
	if len(page.Results) > 0 && page.Title == "" {
		var b strings.Builder
		for _, r := range page.Results {
			b.WriteString(r.Title + "\n\n" + htmlFragmentText(r.Abstract) + "\n\n")
		}
		return doc{Text: cleanText(b.String())}, nil
	}
	r := page.fedRegDoc
	d := doc{
		Title:     cleanLine(r.Title),
		Published: parseDate(r.PublicationDate),
		Canonical: absURL(r.HTMLURL, ""),
	}
	var b strings.Builder
	for _, part := range []string{r.Action, r.Abstract, r.Dates, r.Body, r.FullText, r.RawText, r.BodyHTML} {
		if strings.TrimSpace(part) != "" {
			b.WriteString(htmlFragmentText(part))
			b.WriteString("\n\n")
		}
	}
	d.Text = cleanText(b.String())
	return d, nil
}
