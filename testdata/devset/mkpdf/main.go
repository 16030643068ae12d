// Command mkpdf writes the one PDF of the development set: section 889 of
// Public Law 115-232 (John S. McCain National Defense Authorization Act for
// Fiscal Year 2019), set as a two-page PDF with a running head, the way the
// government printer lays out a slip law.
//
// It writes a minimal but valid PDF 1.4 (Helvetica, WinAnsiEncoding,
// uncompressed content streams, a correct cross-reference table) so that
// the fixture stays reviewable and can be rebuilt byte for byte:
//
//	go run ./testdata/devset/mkpdf testdata/devset/dev/plaw-115-232-sec-889.pdf
//
// It lives under testdata so that `go build ./...` and `go vet ./...` never
// see it.
package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
)

const linesPerPage = 56

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: mkpdf OUT.pdf")
		os.Exit(2)
	}
	if err := os.WriteFile(os.Args[1], build(strings.Split(strings.TrimSpace(lawText), "\n")), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// build lays lines out on pages of linesPerPage and returns the PDF bytes.
func build(lines []string) []byte {
	var pages [][]string
	for len(lines) > 0 {
		n := min(linesPerPage, len(lines))
		pages = append(pages, lines[:n])
		lines = lines[n:]
	}
	// Objects: 1 catalog, 2 pages, 3 font, then per page a page object and
	// its content stream.
	var objs []string
	objs = append(objs, "<< /Type /Catalog /Pages 2 0 R >>")
	kids := make([]string, len(pages))
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 4+2*i)
	}
	objs = append(objs, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pages)))
	objs = append(objs, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	for i, pg := range pages {
		var c bytes.Buffer
		fmt.Fprintf(&c, "BT /F1 8 Tf 72 760 Td (%s) Tj ET\n", esc(fmt.Sprintf("132 STAT. %d        PUBLIC LAW 115-232--AUG. 13, 2018", 1917+i)))
		c.WriteString("BT /F1 10 Tf 12 TL 72 736 Td\n")
		for _, l := range pg {
			fmt.Fprintf(&c, "(%s) '\n", esc(l))
		}
		c.WriteString("ET\n")
		objs = append(objs, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", 5+2*i))
		objs = append(objs, fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", c.Len(), c.String()))
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info << /Title (Public Law 115-232, Section 889) >> >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// esc escapes a line for a PDF literal string.
func esc(s string) string {
	return strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`).Replace(s)
}

const lawText = `
PUBLIC LAW 115-232--AUG. 13, 2018
JOHN S. MCCAIN NATIONAL DEFENSE AUTHORIZATION ACT FOR FISCAL YEAR 2019

SEC. 889. PROHIBITION ON CERTAIN TELECOMMUNICATIONS AND VIDEO
SURVEILLANCE SERVICES OR EQUIPMENT.

(a) PROHIBITION ON USE OR PROCUREMENT.--(1) The head of an executive
agency may not--
    (A) procure or obtain or extend or renew a contract to procure or
    obtain any equipment, system, or service that uses covered
    telecommunications equipment or services as a substantial or
    essential component of any system, or as critical technology as
    part of any system; or
    (B) enter into a contract (or extend or renew a contract) with an
    entity that uses any equipment, system, or service that uses covered
    telecommunications equipment or services as a substantial or
    essential component of any system, or as critical technology as
    part of any system.
(2) Nothing in paragraph (1) shall be construed to--
    (A) prohibit the head of an executive agency from procuring with an
    entity to provide a service that connects to the facilities of a
    third-party, such as backhaul, roaming, or interconnection
    arrangements; or
    (B) cover telecommunications equipment that cannot route or redirect
    user data traffic or permit visibility into any user data or packets
    that such equipment transmits or otherwise handles.
(b) PROHIBITION ON LOAN AND GRANT FUNDS.--(1) The head of an executive
agency may not obligate or expend loan or grant funds to procure or
obtain, extend or renew a contract to procure or obtain, or enter into a
contract (or extend or renew a contract) to procure or obtain the
equipment, services, or systems described in subsection (a).
(2) In implementing the prohibition in paragraph (1), heads of executive
agencies administering loan, grant, or subsidy programs, including the
heads of the Federal Communications Commission, the Department of
Agriculture, the Department of Homeland Security, the Small Business
Administration, and the Department of Commerce, shall prioritize
available funding and technical support to assist affected businesses,
institutions and organizations as is reasonably necessary for those
affected entities to transition from covered communications equipment
and services, to procure replacement equipment and services, and to
ensure that communications service to users and customers is sustained.
(c) EFFECTIVE DATES.--The prohibition under subsection (a)(1)(A) shall
take effect one year after the date of the enactment of this Act, and
the prohibition under subsections (a)(1)(B) and (b)(1) shall take effect
two years after the date of the enactment of this Act.
(d) WAIVER AUTHORITY.--(1) The head of an executive agency may, on a one-
time basis, waive the requirements under subsection (a) with respect to
an entity that requests such a waiver. The waiver may be provided, for a
period of not more than two years after the effective dates described in
subsection (c), if the entity seeking the waiver provides a compelling
justification for the additional time to implement the requirements, and
submits a full and complete laydown of the presences of covered
telecommunications or video surveillance equipment or services in the
entity's supply chain and a phase-out plan to eliminate such equipment.
(2) The Director of National Intelligence may provide a waiver on a date
later than the effective dates described in subsection (c) if the
Director determines the waiver is in the national security interests of
the United States.
(e) RULE OF CONSTRUCTION.--Nothing in this section shall be construed to
prohibit the head of an executive agency from procuring with an entity
to provide a service that connects to the facilities of a third-party.
(f) DEFINITIONS.--In this section:
(1) COVERED FOREIGN COUNTRY.--The term "covered foreign country" means
the People's Republic of China.
(2) COVERED TELECOMMUNICATIONS EQUIPMENT OR SERVICES.--The term "covered
telecommunications equipment or services" means any of the following:
    (A) Telecommunications equipment produced by Huawei Technologies
    Company or ZTE Corporation (or any subsidiary or affiliate of such
    entities).
    (B) For the purpose of public safety, security of government
    facilities, physical security surveillance of critical
    infrastructure, and other national security purposes, video
    surveillance and telecommunications equipment produced by Hytera
    Communications Corporation, Hangzhou Hikvision Digital Technology
    Company, or Dahua Technology Company (or any subsidiary or affiliate
    of such entities).
    (C) Telecommunications or video surveillance services provided by
    such entities or using such equipment.
    (D) Telecommunications or video surveillance equipment or services
    produced or provided by an entity that the Secretary of Defense, in
    consultation with the Director of National Intelligence or the
    Director of the Federal Bureau of Investigation, reasonably believes
    to be an entity owned or controlled by, or otherwise connected to,
    the government of a covered foreign country.
(3) CRITICAL TECHNOLOGY.--The term "critical technology" has the meaning
given that term in section 721(a) of the Defense Production Act of 1950.
(4) EXECUTIVE AGENCY.--The term "executive agency" has the meaning given
the term in section 133 of title 41, United States Code.
`
