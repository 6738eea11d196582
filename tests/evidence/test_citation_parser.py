"""The citation parser on real INDIGO source strings.

Every string below is copied from the INDIGO snapshots (``data/indigo/2025-05`` and
``2024-04``) with the structured columns its row has, and the fields it should give are
written out by hand: title, authors, publisher, year and date, URL, accessed date, locator,
document type and, where the string states one, the evaluation design. The id names the
snapshot, the record and the source id (or the document title). Eleven are not in English
(French, German, Portuguese, Dutch, Spanish)."""

# ruff: noqa: E501 - the real strings are long

from __future__ import annotations

import pytest

from evidence.citation_parser import (
    DESIGNS,
    DOCUMENT_TYPES,
    ParsedAuthor,
    normalise_title,
    normalise_url,
    parse_citation,
)

REAL_STRINGS = [
    pytest.param(
        {
            "text": "https://beccarvarela.com/wp-content/uploads/2019/01/ll_bis_09-01-2019.pdf [Access: 22 jul 2019]",
        },
        {
            "title": "",
            "authors": (),
            "publisher": "",
            "year": None,
            "date": "",
            "url": "https://beccarvarela.com/wp-content/uploads/2019/01/ll_bis_09-01-2019.pdf",
            "accessed": "2019-07-22",
            "locator": "",
            "document_type": "other",
            "design": "",
        },
        id="2025-05-POJ-0001-source1",
    ),
    pytest.param(
        {
            "text": "Interview with Flavia Tinelli from Acrux Partners on the 31/05/19 [Information provided by MAZE]",
        },
        {
            "title": "Interview with Flavia Tinelli from Acrux Partners on the 31/05/19",
            "authors": (),
            "publisher": "",
            "year": 2019,
            "date": "2019-05-31",
            "url": "",
            "accessed": "",
            "locator": "",
            "document_type": "correspondence",
            "design": "",
        },
        id="2025-05-POJ-0001-source2",
    ),
    pytest.param(
        {
            "text": "Impact Bonds in Developing Countries: Early Findings from the Field [PDF]. https://www.brookings.edu/research/impact-bonds-in-developing-countries-early-learnings-from-the-field/",
        },
        {
            "title": "Impact Bonds in Developing Countries: Early Findings from the Field",
            "authors": (),
            "publisher": "",
            "year": None,
            "date": "",
            "url": "https://www.brookings.edu/research/impact-bonds-in-developing-countries-early-learnings-from-the-field/",
            "accessed": "",
            "locator": "",
            "document_type": "website",
            "design": "",
        },
        id="2025-05-POJ-0001-source3",
    ),
    pytest.param(
        {
            "text": "Hack and Learn - August 2021",
        },
        {
            "title": "Hack and Learn - August 2021",
            "authors": (),
            "publisher": "",
            "year": 2021,
            "date": "2021-08",
            "url": "",
            "accessed": "",
            "locator": "",
            "document_type": "correspondence",
            "design": "",
        },
        id="2025-05-POJ-0001-sourcehackandlearn2021-08",
    ),
    pytest.param(
        {
            "text": "Case Study by Innovative Finance for Education",
            "indigo_type": "Report",
            "url": "https://s3.eu-west-2.amazonaws.com/golab.prod/documents/proyecta-tu-futuro-a-social-impact-bond-for-education-and-employability-traini_Vj1VJTr.pdf",
        },
        {
            "title": "Case Study by Innovative Finance for Education",
            "authors": (),
            "publisher": "",
            "year": None,
            "date": "",
            "url": "https://s3.eu-west-2.amazonaws.com/golab.prod/documents/proyecta-tu-futuro-a-social-impact-bond-for-education-and-employability-traini_Vj1VJTr.pdf",
            "accessed": "",
            "locator": "",
            "document_type": "case-study",
            "design": "",
        },
        id="2025-05-POJ-0001-source10",
    ),
    pytest.param(
        {
            "text": "Social Ventures Australia Aspire Social Impact Bond Annual Investor report, 2018 p. 3 accessed on 24/07/2019 at file:///Users/bsog0147/Downloads/993_aspire_sib_annual_investor_report_2018-web_singles.pdf",
        },
        {
            "title": "Social Ventures Australia Aspire Social Impact Bond Annual Investor report",
            "authors": (),
            "publisher": "",
            "year": 2018,
            "date": "",
            "url": "",
            "accessed": "2019-07-24",
            "locator": "page 3",
            "document_type": "policy-report",
            "design": "",
        },
        id="2025-05-POJ-0002-source3",
    ),
    pytest.param(
        {
            "text": "Social Ventures Australia Aspire Social Impact Bond, N.D. p. 2 accessed on 24/07/2019 at https://www.socialventures.com.au/assets/Aspire-SIB_About-web.pdf",
        },
        {
            "title": "Social Ventures Australia Aspire Social Impact Bond",
            "authors": (),
            "publisher": "",
            "year": None,
            "date": "",
            "url": "https://www.socialventures.com.au/assets/Aspire-SIB_About-web.pdf",
            "accessed": "2019-07-24",
            "locator": "page 2",
            "document_type": "other",
            "design": "",
        },
        id="2025-05-POJ-0002-source7",
    ),
    pytest.param(
        {
            "text": "Evaluation of the Resilient Families service (Social Benefi Bond Pilot) NSW Treasury and ARTD Consultants, 2017 p. 6 accessed on 22/07/2019 at https://www.benevolent.org.au/ArticleDocuments/269/Info-sheet-Evaluation-of-the-Resilient-Families-Service-Progress-Report.1.pdf.aspx",
        },
        {
            "title": "Evaluation of the Resilient Families service (Social Benefi Bond Pilot) NSW Treasury and ARTD Consultants",
            "authors": (),
            "publisher": "",
            "year": 2017,
            "date": "",
            "url": "https://www.benevolent.org.au/ArticleDocuments/269/Info-sheet-Evaluation-of-the-Resilient-Families-Service-Progress-Report.1.pdf.aspx",
            "accessed": "2019-07-22",
            "locator": "page 6",
            "document_type": "evaluation-report",
            "design": "",
        },
        id="2025-05-POJ-0003-source3",
    ),
    pytest.param(
        {
            "text": "Social Benefit Bond Investor Report, 30 October 2017 accessed on 22/07/2019 at https://www.benevolent.org.au/about-us/innovative-approaches/social-benefit-bond#heading3",
        },
        {
            "title": "Social Benefit Bond Investor Report",
            "authors": (),
            "publisher": "",
            "year": 2017,
            "date": "2017-10-30",
            "url": "https://www.benevolent.org.au/about-us/innovative-approaches/social-benefit-bond#heading3",
            "accessed": "2019-07-22",
            "locator": "",
            "document_type": "policy-report",
            "design": "",
        },
        id="2025-05-POJ-0003-source8",
    ),
    pytest.param(
        {
            "text": "Newpin Final Evaluation Report (see documents tab)",
            "indigo_type": "Evaluation report",
            "url": "https://www.osii.nsw.gov.au/assets/office-of-social-impact-investment/Newpin-Evaluation-Final-Report.pdf",
        },
        {
            "title": "Newpin Final Evaluation Report",
            "authors": (),
            "publisher": "",
            "year": None,
            "date": "",
            "url": "https://www.osii.nsw.gov.au/assets/office-of-social-impact-investment/Newpin-Evaluation-Final-Report.pdf",
            "accessed": "",
            "locator": "",
            "document_type": "evaluation-report",
            "design": "",
        },
        id="2025-05-POJ-0005-source19",
    ),
    pytest.param(
        {
            "text": "Social impact investment and recidivism: A field experiment with high-risk parolees",
            "indigo_type": "Report",
            "url": "https://www.bocsar.nsw.gov.au/Publications/CJB/2020-Social-impact-investment-and-recidivism-CJB234.pdf",
        },
        {
            "title": "Social impact investment and recidivism: A field experiment with high-risk parolees",
            "authors": (),
            "publisher": "",
            "year": None,
            "date": "",
            "url": "https://www.bocsar.nsw.gov.au/Publications/CJB/2020-Social-impact-investment-and-recidivism-CJB234.pdf",
            "accessed": "",
            "locator": "",
            "document_type": "policy-report",
            "design": "",
        },
        id="2025-05-POJ-0006-source8",
    ),
    pytest.param(
        {
            "text": "Deed of Implementation Agreement for Resolve Social Benefit Bond, 2017 p. 56 accessed on 26/07/2019 at https://www.health.nsw.gov.au/sii/Documents/implementation-agreement-resolve.PDF",
        },
        {
            "title": "Deed of Implementation Agreement for Resolve Social Benefit Bond",
            "authors": (),
            "publisher": "",
            "year": 2017,
            "date": "",
            "url": "https://www.health.nsw.gov.au/sii/Documents/implementation-agreement-resolve.PDF",
            "accessed": "2019-07-26",
            "locator": "page 56",
            "document_type": "contract-or-legal",
            "design": "",
        },
        id="2025-05-POJ-0007-source9",
    ),
    pytest.param(
        {
            "text": "Strengthening Prevention in Family Assistance Programmes In the District of Osnabrueck (Bertelsmann Stiftung, 2017), page 2 (accessed 22 July 2019)",
        },
        {
            "title": "Strengthening Prevention in Family Assistance Programmes In the District of Osnabrueck",
            "authors": (),
            "publisher": "Bertelsmann Stiftung",
            "year": 2017,
            "date": "",
            "url": "",
            "accessed": "2019-07-22",
            "locator": "page 2",
            "document_type": "other",
            "design": "",
        },
        id="2025-05-POJ-0034-source1",
    ),
    pytest.param(
        {
            "text": "Idinsight. (2018). Educate Girls DIB: Final Evaluation Report. P.4.",
        },
        {
            "title": "Educate Girls DIB: Final Evaluation Report",
            "authors": (("Idinsight", "organisation"),),
            "publisher": "",
            "year": 2018,
            "date": "",
            "url": "",
            "accessed": "",
            "locator": "page 4",
            "document_type": "evaluation-report",
            "design": "",
        },
        id="2025-05-POJ-0035-source2",
    ),
    pytest.param(
        {
            "text": "Erskine, C. (Forthcoming). Quality Education India Development Impact Bond: A case study produced as part of the DFID DIBs pilot programme evaluation. P.1.",
        },
        {
            "title": "Quality Education India Development Impact Bond: A case study produced as part of the DFID DIBs pilot programme evaluation",
            "authors": (("Erskine, C.", "person"),),
            "publisher": "",
            "year": None,
            "date": "",
            "url": "",
            "accessed": "",
            "locator": "page 1",
            "document_type": "case-study",
            "design": "",
        },
        id="2025-05-POJ-0036-source1",
    ),
    pytest.param(
        {
            "text": "Convergence. 2018. Design Case Study: The Utkrisht Impact Bond. P.1.",
        },
        {
            "title": "Design Case Study: The Utkrisht Impact Bond",
            "authors": (("Convergence", "organisation"),),
            "publisher": "",
            "year": 2018,
            "date": "",
            "url": "",
            "accessed": "",
            "locator": "page 1",
            "document_type": "case-study",
            "design": "",
        },
        id="2025-05-POJ-0037-source1",
    ),
    pytest.param(
        {
            "text": "van Es, B., Houben, O., & Lycklama À Nijeholt, M. (2016). SOCIAL IMPACT BONDS: AN INNOVATIVE WAY TO COMBAT YOUTH UNEMPLOYMENT. Journal of Positive Management, 7(1), 45–56. https://doi.org/10.12775/JPM.2016.003, p50",
        },
        {
            "title": "SOCIAL IMPACT BONDS: AN INNOVATIVE WAY TO COMBAT YOUTH UNEMPLOYMENT",
            "authors": (
                ("van Es, B.", "person"),
                ("Houben, O.", "person"),
                ("Lycklama À Nijeholt, M.", "person"),
            ),
            "publisher": "",
            "year": 2016,
            "date": "",
            "url": "https://doi.org/10.12775/JPM.2016.003",
            "accessed": "",
            "locator": "page 50",
            "document_type": "academic-article",
            "design": "",
        },
        id="2025-05-POJ-0045-source1",
    ),
    pytest.param(
        {
            "text": "Smeets, D. (2017). Collaborative Learning Processes in Social Impact Bonds: A Case Study from the Netherlands. Journal of Social Entrepreneurship, 8(1), 67–87. https://doi.org/10.1080/19420676.2017.1299034",
        },
        {
            "title": "Collaborative Learning Processes in Social Impact Bonds: A Case Study from the Netherlands",
            "authors": (("Smeets, D.", "person"),),
            "publisher": "",
            "year": 2017,
            "date": "",
            "url": "https://doi.org/10.1080/19420676.2017.1299034",
            "accessed": "",
            "locator": "",
            "document_type": "academic-article",
            "design": "",
        },
        id="2025-05-POJ-0048-source1",
    ),
    pytest.param(
        {
            "text": 'Brookings (Center for Universal Education) and Convergence, "Impact Bonds in Developing Countries: Early Learnings from the Field" (2017), https://www.brookings.edu/wp-content/uploads/2017/09/impact-bonds-in-developing-countries_web.pdf - p.84',
        },
        {
            "title": "Impact Bonds in Developing Countries: Early Learnings from the Field",
            "authors": (
                ("Brookings (Center for Universal Education) and Convergence", "organisation"),
            ),
            "publisher": "",
            "year": 2017,
            "date": "",
            "url": "https://www.brookings.edu/wp-content/uploads/2017/09/impact-bonds-in-developing-countries_web.pdf",
            "accessed": "",
            "locator": "page 84",
            "document_type": "other",
            "design": "",
        },
        id="2025-05-POJ-0057-source1",
    ),
    pytest.param(
        {
            "text": "KIT (2015) Autonomous and Sustainable Cocoa and Coffee Production by Indigenous Asháninka People of Peru: Field mission for the verification of impact indicators of the Development Impact Bond agreement [pdf],\xa0Amsterdam:\xa0Royal Tropical Institute. P.7. Available at: http://www.common-fund.org/wp-content/uploads/2017/05/Verification_Report.pdf",
        },
        {
            "title": "Autonomous and Sustainable Cocoa and Coffee Production by Indigenous Asháninka People of Peru: Field mission for the verification of impact indicators of the Development Impact Bond agreement",
            "authors": (("KIT", "organisation"),),
            "publisher": "Royal Tropical Institute",
            "year": 2015,
            "date": "",
            "url": "http://www.common-fund.org/wp-content/uploads/2017/05/Verification_Report.pdf",
            "accessed": "",
            "locator": "page 7",
            "document_type": "evaluation-report",
            "design": "outcome-validation",
        },
        id="2025-05-POJ-0059-source7",
    ),
    pytest.param(
        {
            "text": "Portugal Inovação Social - Relatório de Execução 2017. Pg 34. Available at: https://inovacaosocial.portugal2020.pt/wp-content/uploads/2019/05/EMPIS_Relat%C3%B3rio-de-Execu%C3%A7%C3%A3o-2017_vf01-1.pdf",
        },
        {
            "title": "Portugal Inovação Social - Relatório de Execução 2017",
            "authors": (),
            "publisher": "",
            "year": 2017,
            "date": "",
            "url": "https://inovacaosocial.portugal2020.pt/wp-content/uploads/2019/05/EMPIS_Relat%C3%B3rio-de-Execu%C3%A7%C3%A3o-2017_vf01-1.pdf",
            "accessed": "",
            "locator": "page 34",
            "document_type": "policy-report",
            "design": "",
        },
        id="2025-05-POJ-0061-source2",
    ),
    pytest.param(
        {
            "text": 'Calouste Gulbenkian Foundation, Lisbon Municipal Chamber, Academia de Código, Maze - Results and Evaluation of Pilot Intervention "Social Impact Bond - Junior Code Academy" (Own translation). Pg 6. Available at: https://maze-impact.com/wp-content/uploads/2018/05/RESULTADOS_TIS_PT_v3.pdf',
        },
        {
            "title": "Social Impact Bond - Junior Code Academy",
            "authors": (),
            "publisher": "",
            "year": None,
            "date": "",
            "url": "https://maze-impact.com/wp-content/uploads/2018/05/RESULTADOS_TIS_PT_v3.pdf",
            "accessed": "",
            "locator": "page 6",
            "document_type": "evaluation-report",
            "design": "",
        },
        id="2025-05-POJ-0063-source4",
    ),
    pytest.param(
        {
            "text": 'Interim evaluation, "Zwischenbericht Evaluation Social Impact Bond 2015 - 2020, Pilotprojekt Supported Employment für Flüchtlinge und Vorläufig Aufgenommene «Caritas Perspektive» " (J.Guggisberg, P. Stettler BASS AG, June 2018; accessed July 2019), https://www.buerobass.ch/fileadmin/Files/2018/GEF_2018_SocialImpactBond_Zwischenbericht.pdf - p.1',
        },
        {
            "title": "Zwischenbericht Evaluation Social Impact Bond 2015 - 2020, Pilotprojekt Supported Employment für Flüchtlinge und Vorläufig Aufgenommene «Caritas Perspektive»",
            "authors": (),
            "publisher": "J.Guggisberg, P. Stettler BASS AG",
            "year": 2018,
            "date": "2018-06",
            "url": "https://www.buerobass.ch/fileadmin/Files/2018/GEF_2018_SocialImpactBond_Zwischenbericht.pdf",
            "accessed": "2019-07",
            "locator": "page 1",
            "document_type": "evaluation-report",
            "design": "",
        },
        id="2025-05-POJ-0078-source10",
    ),
    pytest.param(
        {
            "text": "RTES, \"Gironde: Un contrat à impact sociale pour financer un projet de relais familiaux avec les Apprentis d'Auteil pour prévenir le placement d'enfants\", 13/05/2019, http://www.rtes.fr/gironde-un-contrat-a-impact-social-pour-financer-un-projet-de-relais-familiaux-avec-les-apprentis-d",
        },
        {
            "title": "Gironde: Un contrat à impact sociale pour financer un projet de relais familiaux avec les Apprentis d'Auteil pour prévenir le placement d'enfants",
            "authors": (("RTES", "organisation"),),
            "publisher": "",
            "year": 2019,
            "date": "2019-05-13",
            "url": "http://www.rtes.fr/gironde-un-contrat-a-impact-social-pour-financer-un-projet-de-relais-familiaux-avec-les-apprentis-d",
            "accessed": "",
            "locator": "",
            "document_type": "news-or-press-release",
            "design": "",
        },
        id="2025-05-POJ-0029-source4",
    ),
    pytest.param(
        {
            "text": "La Gazette (Club Finances), \"Le contrat à impact social est 'un outil à manier avec une grande délicatesse'\" (trans. \"Social Impact Contracts: 'a tool that needs to be handled with great care'\"), 10/05/2019, https://www.lagazettedescommunes.com/621032/le-contrat-a-impact-social-est-un-outil-a-manier-avec-une-grande-delicatesse/",
        },
        {
            "title": "Le contrat à impact social est 'un outil à manier avec une grande délicatesse'",
            "authors": (("La Gazette (Club Finances)", "organisation"),),
            "publisher": "",
            "year": 2019,
            "date": "2019-05-10",
            "url": "https://www.lagazettedescommunes.com/621032/le-contrat-a-impact-social-est-un-outil-a-manier-avec-une-grande-delicatesse/",
            "accessed": "",
            "locator": "",
            "document_type": "news-or-press-release",
            "design": "",
        },
        id="2025-05-POJ-0029-source2",
    ),
    pytest.param(
        {
            "text": 'Communiqué de presse, "Michel Sapin et Martine Pinville signent les deux premiers contrats à impact social en présence du Président de la République " (24/11/2016), (trans.) press release - Sapin and Pinville sign first SIB contracts in the presence of the president',
        },
        {
            "title": "Michel Sapin et Martine Pinville signent les deux premiers contrats à impact social en présence du Président de la République",
            "authors": (),
            "publisher": "",
            "year": 2016,
            "date": "2016-11-24",
            "url": "",
            "accessed": "",
            "locator": "",
            "document_type": "news-or-press-release",
            "design": "",
        },
        id="2025-05-POJ-0030-source3",
    ),
    pytest.param(
        {
            "text": "Mécénova, 'Contrats à Impact Social: quel bilan, 2 ans après leur arrivée en France?' (trans., Social Impact Contracts: what are the results 2 years after their implementation in France?), http://www.mecenova.org/contrats-a-impact-social-quel-bilan-2-ans-apres-leur-arrivee-en-france/; KPMG, \"Social Impact Bonds: Foreign best practices\", https://home.kpmg/be/en/home/insights/2018/06/social-impact-bonds-foreign-best-practices.html",
        },
        {
            "title": "Contrats à Impact Social: quel bilan, 2 ans après leur arrivée en France?",
            "authors": (("Mécénova", "organisation"),),
            "publisher": "",
            "year": None,
            "date": "",
            "url": "http://www.mecenova.org/contrats-a-impact-social-quel-bilan-2-ans-apres-leur-arrivee-en-france/",
            "accessed": "",
            "locator": "",
            "document_type": "website",
            "design": "",
        },
        id="2025-05-POJ-0031-source6",
    ),
    pytest.param(
        {
            "text": "Fiche d'identité du contrat à impact: TELEMAQUE. Ministère du travail, de l'emploi et de l'insertion - France. ",
        },
        {
            "title": "Fiche d'identité du contrat à impact: TELEMAQUE",
            "authors": (),
            "publisher": "Ministère du travail, de l'emploi et de l'insertion - France",
            "year": None,
            "date": "",
            "url": "",
            "accessed": "",
            "locator": "",
            "document_type": "policy-report",
            "design": "",
        },
        id="2025-05-POJ-0327-source1",
    ),
    pytest.param(
        {
            "text": "Article: 'Sociaal Hospitaal en Society Impact werken aan opschaling' (Social Hospital and Society Impact are working on scaling up)",
            "indigo_type": "Website",
            "url": "https://societyimpact.nl/sociaal-hospitaal-en-society-impact-werken-aan-opschaling/",
            "accessed_date": "2021-07-01",
        },
        {
            "title": "Sociaal Hospitaal en Society Impact werken aan opschaling",
            "authors": (),
            "publisher": "",
            "year": None,
            "date": "",
            "url": "https://societyimpact.nl/sociaal-hospitaal-en-society-impact-werken-aan-opschaling/",
            "accessed": "2021-07-01",
            "locator": "",
            "document_type": "website",
            "design": "",
        },
        id="2025-05-POJ-0212-source2",
    ),
    pytest.param(
        {
            "text": "Rendiz Website (Dutch) https://rendiz.nl/77-rendiz-zorg/676-social-impact-bond accessed 27 July 2019",
        },
        {
            "title": "Rendiz Website",
            "authors": (),
            "publisher": "",
            "year": None,
            "date": "",
            "url": "https://rendiz.nl/77-rendiz-zorg/676-social-impact-bond",
            "accessed": "2019-07-27",
            "locator": "",
            "document_type": "website",
            "design": "",
        },
        id="2025-05-POJ-0049-source3",
    ),
    pytest.param(
        {
            "text": "Movimento de Defesa da Vida - Metodologia de intervenção. Available at: http://www.mdvida.pt/metodologia-de-intervencao/ (Own translation)",
        },
        {
            "title": "Movimento de Defesa da Vida - Metodologia de intervenção",
            "authors": (),
            "publisher": "",
            "year": None,
            "date": "",
            "url": "http://www.mdvida.pt/metodologia-de-intervencao/",
            "accessed": "",
            "locator": "",
            "document_type": "website",
            "design": "",
        },
        id="2025-05-POJ-0060-source5",
    ),
    pytest.param(
        {
            "text": "EMPLEANDO FUTURO, SIBS.CO. (2019) Empleando Futuro: Hallazgos del primer Bono de Impacto Social en Colombia [PowerPoint presentation]. Not publicly available. \nPresentation shared by María Alejandra Urrea, Manager of the Social Impact Bond Programme at the Corona Foundation/ Empleando Futuro, SIBs.CO\n on the 12/06/19",
        },
        {
            "title": "Empleando Futuro: Hallazgos del primer Bono de Impacto Social en Colombia",
            "authors": (("EMPLEANDO FUTURO, SIBS.CO", "organisation"),),
            "publisher": "",
            "year": 2019,
            "date": "",
            "url": "",
            "accessed": "",
            "locator": "",
            "document_type": "policy-report",
            "design": "",
        },
        id="2025-05-POJ-0023-source11",
    ),
    pytest.param(
        {
            "text": "Gillian Plumridge, Judy Sebba, 'Evaluation of Birmingham City Council's Step Down Programme - Report of the  Findings September 2018' (Rees Centre, University of Oxford, 2018), page 4 and (Social Finance Impact Bond Global Database, accessed 05/07/2019) https://sibdatabase.socialfinance.org.uk/?project_id=34",
        },
        {
            "title": "Evaluation of Birmingham City Council's Step Down Programme - Report of the Findings September 2018",
            "authors": (("Plumridge, Gillian", "person"), ("Sebba, Judy", "person")),
            "publisher": "Rees Centre, University of Oxford",
            "year": 2018,
            "date": "",
            "url": "",
            "accessed": "",
            "locator": "page 4",
            "document_type": "evaluation-report",
            "design": "",
        },
        id="2025-05-POJ-0111-source4",
    ),
    pytest.param(
        {
            "text": "James Ronicle & Neil Stanworth, 'Ways to Wellness Deep Dive Report: CBO Fund Evaluation' (Ecorys, 2015)",
        },
        {
            "title": "Ways to Wellness Deep Dive Report: CBO Fund Evaluation",
            "authors": (("Ronicle, James", "person"), ("Stanworth, Neil", "person")),
            "publisher": "Ecorys",
            "year": 2015,
            "date": "",
            "url": "",
            "accessed": "",
            "locator": "",
            "document_type": "evaluation-report",
            "design": "",
        },
        id="2025-05-POJ-0120-source1",
    ),
    pytest.param(
        {
            "text": 'Ecorys, "In-Depth Review: Mental Health and Employment Partnership (MHEP)" (Commissioning Better Outcomes Evaluation, 2017) page 9',
        },
        {
            "title": "In-Depth Review: Mental Health and Employment Partnership (MHEP)",
            "authors": (("Ecorys", "organisation"),),
            "publisher": "Commissioning Better Outcomes Evaluation",
            "year": 2017,
            "date": "",
            "url": "",
            "accessed": "",
            "locator": "page 9",
            "document_type": "evaluation-report",
            "design": "",
        },
        id="2025-05-POJ-0118-source3",
    ),
    pytest.param(
        {
            "text": "Evaluation of the Essex Multi-Systemic Therapy Social Impact Bond: Interim evaluation report (OPM, 2014), page 10",
        },
        {
            "title": "Evaluation of the Essex Multi-Systemic Therapy Social Impact Bond: Interim evaluation report",
            "authors": (),
            "publisher": "OPM",
            "year": 2014,
            "date": "",
            "url": "",
            "accessed": "",
            "locator": "page 10",
            "document_type": "evaluation-report",
            "design": "",
        },
        id="2025-05-POJ-0130-source3",
    ),
    pytest.param(
        {
            "text": "Evaluation of the Fair Chance Fund Final Report (ICF, 2019) page 9",
        },
        {
            "title": "Evaluation of the Fair Chance Fund Final Report",
            "authors": (),
            "publisher": "ICF",
            "year": 2019,
            "date": "",
            "url": "",
            "accessed": "",
            "locator": "page 9",
            "document_type": "evaluation-report",
            "design": "",
        },
        id="2025-05-POJ-0131-source2",
    ),
    pytest.param(
        {
            "text": "Fair Chance Fund Interim Report Year One (ICF, 2017), page 112",
        },
        {
            "title": "Fair Chance Fund Interim Report Year One",
            "authors": (),
            "publisher": "ICF",
            "year": 2017,
            "date": "",
            "url": "",
            "accessed": "",
            "locator": "page 112",
            "document_type": "evaluation-report",
            "design": "",
        },
        id="2025-05-POJ-0131-source6",
    ),
    pytest.param(
        {
            "text": "Evaluation of the Fair Chance Fund Final Report (ICF, 2019) page 16 and Fair Chance Fund Interim Report Year One (ICF, 2017), page 117",
        },
        {
            "title": "Evaluation of the Fair Chance Fund Final Report",
            "authors": (),
            "publisher": "ICF",
            "year": 2019,
            "date": "",
            "url": "",
            "accessed": "",
            "locator": "page 16",
            "document_type": "evaluation-report",
            "design": "",
        },
        id="2025-05-POJ-0133-source6",
    ),
    pytest.param(
        {
            "text": "Qualitative evaluation of the DWP Innovation Fund: Final report (DWP, 2016) Appendix B",
        },
        {
            "title": "Qualitative evaluation of the DWP Innovation Fund: Final report",
            "authors": (),
            "publisher": "DWP",
            "year": 2016,
            "date": "",
            "url": "",
            "accessed": "",
            "locator": "appendix B",
            "document_type": "evaluation-report",
            "design": "qualitative",
        },
        id="2025-05-POJ-0139-source1",
    ),
    pytest.param(
        {
            "text": "Quantitative assessment of impact and social return on investment (Evaluation of the Innovation Fund pilot)",
            "indigo_type": "Evaluation report",
            "publishing_organisations": "Department for Work and Pensions (DWP)",
            "url": "https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/file/737021/evaluation-of-the-innovation-fund-pilot-quantitative-assessment-of-impact-and-social-return-on-investment.pdf",
        },
        {
            "title": "Quantitative assessment of impact and social return on investment (Evaluation of the Innovation Fund pilot)",
            "authors": (),
            "publisher": "Department for Work and Pensions (DWP)",
            "year": None,
            "date": "",
            "url": "https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/file/737021/evaluation-of-the-innovation-fund-pilot-quantitative-assessment-of-impact-and-social-return-on-investment.pdf",
            "accessed": "",
            "locator": "",
            "document_type": "evaluation-report",
            "design": "",
        },
        id="2025-05-POJ-0140-source14",
    ),
    pytest.param(
        {
            "text": "Peterborough Social Impact Bond: Final Report on Cohort 1 Analysis (QinetiQ, University of Leicester, 2014) page 5",
        },
        {
            "title": "Peterborough Social Impact Bond: Final Report on Cohort 1 Analysis",
            "authors": (),
            "publisher": "QinetiQ, University of Leicester",
            "year": 2014,
            "date": "",
            "url": "",
            "accessed": "",
            "locator": "page 5",
            "document_type": "evaluation-report",
            "design": "",
        },
        id="2025-05-POJ-0153-source1",
    ),
    pytest.param(
        {
            "text": "Jake Anders, Richard Dorset, HMP Peterborough Social Impact Bond - cohort 2 and final cohort impact evaluation (National Institute of Economic and Social Research, 2017), page 3",
        },
        {
            "title": "HMP Peterborough Social Impact Bond - cohort 2 and final cohort impact evaluation",
            "authors": (("Anders, Jake", "person"), ("Dorset, Richard", "person")),
            "publisher": "National Institute of Economic and Social Research",
            "year": 2017,
            "date": "",
            "url": "",
            "accessed": "",
            "locator": "page 3",
            "document_type": "evaluation-report",
            "design": "",
        },
        id="2025-05-POJ-0153-source2",
    ),
    pytest.param(
        {
            "text": "Peterborough Social Impact Bond: an independent assessment - Development of the PSM methodology (QinetiQ, University of Leicester, 2012), page i",
        },
        {
            "title": "Peterborough Social Impact Bond: an independent assessment - Development of the PSM methodology",
            "authors": (),
            "publisher": "QinetiQ, University of Leicester",
            "year": 2012,
            "date": "",
            "url": "",
            "accessed": "",
            "locator": "page i",
            "document_type": "evaluation-report",
            "design": "quasi-experimental",
        },
        id="2025-05-POJ-0153-source4",
    ),
    pytest.param(
        {
            "text": "Charity Commission, 'Find Charities' <http://apps.charitycommission.gov.uk/showcharity/registerofcharities/RegisterHomePage.aspx> [accessed 11/07/19]",
        },
        {
            "title": "Find Charities",
            "authors": (("Charity Commission", "organisation"),),
            "publisher": "",
            "year": None,
            "date": "",
            "url": "http://apps.charitycommission.gov.uk/showcharity/registerofcharities/RegisterHomePage.aspx",
            "accessed": "2019-07-11",
            "locator": "",
            "document_type": "website",
            "design": "",
        },
        id="2025-05-POJ-0153-source6",
    ),
    pytest.param(
        {
            "text": "Lessons learned from the planning and early implementation of the Social Impact Bond at HMP Peterborough (RAND, MOJ, 2011), page 3",
        },
        {
            "title": "Lessons learned from the planning and early implementation of the Social Impact Bond at HMP Peterborough",
            "authors": (),
            "publisher": "RAND, MOJ",
            "year": 2011,
            "date": "",
            "url": "",
            "accessed": "",
            "locator": "page 3",
            "document_type": "evaluation-report",
            "design": "",
        },
        id="2025-05-POJ-0153-source7",
    ),
    pytest.param(
        {
            "text": "Alex Nicholls, Emma Tomkinson, The Peterborough Pilot Social Impact Bond (University of Oxford, 2013), page 13",
        },
        {
            "title": "The Peterborough Pilot Social Impact Bond",
            "authors": (("Nicholls, Alex", "person"), ("Tomkinson, Emma", "person")),
            "publisher": "University of Oxford",
            "year": 2013,
            "date": "",
            "url": "",
            "accessed": "",
            "locator": "page 13",
            "document_type": "academic-article",  # a university publishes it
            "design": "",
        },
        id="2025-05-POJ-0153-source8",
    ),
    pytest.param(
        {
            "text": "Phase 2 report from the payment by results Social Impact Bond pilot at HMP Peterborough (Ministry of Justice, 2014), pages 11-12",
        },
        {
            "title": "Phase 2 report from the payment by results Social Impact Bond pilot at HMP Peterborough",
            "authors": (),
            "publisher": "Ministry of Justice",
            "year": 2014,
            "date": "",
            "url": "",
            "accessed": "",
            "locator": "pages 11-12",
            "document_type": "evaluation-report",  # a pilot's phase 2 report
            "design": "",
        },
        id="2025-05-POJ-0153-source14",
    ),
    pytest.param(
        {
            "text": "DCMS Data Portal for the Life Chances Fund",
            "indigo_type": "Website",
            "publishing_organisations": "Department for Digital, Culture, Media and Sports",
            "publication_date": "2020-07-01",
            "accessed_date": "2020-08-08",
        },
        {
            "title": "DCMS Data Portal for the Life Chances Fund",
            "authors": (),
            "publisher": "Department for Digital, Culture, Media and Sports",
            "year": 2020,
            "date": "2020-07-01",
            "url": "",
            "accessed": "2020-08-08",
            "locator": "",
            "document_type": "website",
            "design": "",
        },
        id="2025-05-POJ-0167-source1",
    ),
    pytest.param(
        {
            "text": "DCMS Data Portal for LCF Projects",
            "indigo_type": "Website",
            "publishing_organisations": "INDIGO-ORG-0171, INDIGO-ORG-0306",
        },
        {
            "title": "DCMS Data Portal for LCF Projects",
            "authors": (),
            "publisher": "",
            "year": None,
            "date": "",
            "url": "",
            "accessed": "",
            "locator": "",
            "document_type": "website",
            "design": "",
        },
        id="2025-05-POJ-0188-source1",
    ),
    pytest.param(
        {
            "text": "News piece: Oxfam’s language support scheme improves ethnic minority children’s Chinese proficiency and future opportunities",
            "indigo_type": "News piece",
            "url": "https://www.thestandard.com.hk/breaking-news/section/4/193213/Oxfam%E2%80%99s-language-support-scheme-improves-ethnic-minority-children%E2%80%99s-Chinese-proficiency-and-future-opportunities",
            "publication_date": "9th August 2022",
            "accessed_date": "18th August 2022",
        },
        {
            "title": "Oxfam’s language support scheme improves ethnic minority children’s Chinese proficiency and future opportunities",
            "authors": (),
            "publisher": "",
            "year": 2022,
            "date": "2022-08-09",
            "url": "https://www.thestandard.com.hk/breaking-news/section/4/193213/Oxfam%E2%80%99s-language-support-scheme-improves-ethnic-minority-children%E2%80%99s-Chinese-proficiency-and-future-opportunities",
            "accessed": "2022-08-18",
            "locator": "",
            "document_type": "news-or-press-release",
            "design": "",
        },
        id="2025-05-POJ-0259-source1",
    ),
    pytest.param(
        {
            "text": "Email correspondence with Bridges Outcomes Partnerships on 6th December 2024",
            "indigo_type": "Email correspondence",
            "publication_date": "6th December 2024",
            "accessed_date": "27th January 2025",
        },
        {
            "title": "Email correspondence with Bridges Outcomes Partnerships on 6th December 2024",
            "authors": (),
            "publisher": "",
            "year": 2024,
            "date": "2024-12-06",
            "url": "",
            "accessed": "2025-01-27",
            "locator": "",
            "document_type": "correspondence",
            "design": "",
        },
        id="2025-05-POJ-0275-source4",
    ),
    pytest.param(
        {
            "text": "British International Investment makes first investment in development impact bonds",
            "indigo_type": "Press release",
            "url": "https://www.bii.co.uk/en/news-insight/news/british-international-investment-makes-first-investment-in-development-impact-bonds/",
            "publication_date": "2023-07-20",
        },
        {
            "title": "British International Investment makes first investment in development impact bonds",
            "authors": (),
            "publisher": "",
            "year": 2023,
            "date": "2023-07-20",
            "url": "https://www.bii.co.uk/en/news-insight/news/british-international-investment-makes-first-investment-in-development-impact-bonds/",
            "accessed": "",
            "locator": "",
            "document_type": "news-or-press-release",
            "design": "",
        },
        id="2025-05-POJ-0301-source4",
    ),
    pytest.param(
        {
            "text": 'Press Release "Plymouth selected as pilot area for refugee funding"  - March 2021',
            "indigo_type": "Press release",
            "url": "https://new.plymouth.gov.uk/plymouth-selected-pilot-area-refugee-funding",
        },
        {
            "title": "Plymouth selected as pilot area for refugee funding",
            "authors": (),
            "publisher": "",
            "year": 2021,
            "date": "2021-03",
            "url": "https://new.plymouth.gov.uk/plymouth-selected-pilot-area-refugee-funding",
            "accessed": "",
            "locator": "",
            "document_type": "news-or-press-release",
            "design": "",
        },
        id="2025-05-POJ-0271-source2",
    ),
    pytest.param(
        {
            "text": "Email correspondence with Portugal Social Innovation Unit on 23/05/2022",
            "indigo_type": "Email correspondence",
        },
        {
            "title": "Email correspondence with Portugal Social Innovation Unit on 23/05/2022",
            "authors": (),
            "publisher": "",
            "year": 2022,
            "date": "2022-05-23",
            "url": "",
            "accessed": "",
            "locator": "",
            "document_type": "correspondence",
            "design": "",
        },
        id="2025-05-POJ-0062-source12",
    ),
    pytest.param(
        {
            "text": "Portugal Inovacao Social and MAZE (communication via emails in April 2020)",
        },
        {
            "title": "Portugal Inovacao Social and MAZE (communication via emails in April 2020)",
            "authors": (),
            "publisher": "",
            "year": 2020,
            "date": "2020-04",
            "url": "",
            "accessed": "",
            "locator": "",
            "document_type": "correspondence",
            "design": "",
        },
        id="2025-05-POJ-0060-source3",
    ),
    pytest.param(
        {
            "text": "Own calculation based on Amount committed",
        },
        {
            "title": "Own calculation based on Amount committed",
            "authors": (),
            "publisher": "",
            "year": None,
            "date": "",
            "url": "",
            "accessed": "",
            "locator": "",
            "document_type": "other",
            "design": "",
        },
        id="2025-05-POJ-0003-source6",
    ),
    pytest.param(
        {
            "text": "Own calculation, based on Ways to Wellness, 'How we are financed and funded', Webpage, 2019, https://waystowellness.org.uk/about/finance-and-funding/; Big Lottery Fund, 'Commissioning Better Outcomes: Awards from July 2013 to November 2018', (Big Lottery Fund, 2018); Tom Keighley, \"First £500,000 leaves North East Social Investment Fund under Peter Gilson's leadership\", The Journal (17 May 2015) http://www.thejournal.co.uk/business/business-news/first-500000-leaves-north-east-9265756; James Ronicle & Neil Stanworth, 'Ways to Wellness Deep Dive Report: CBO Fund Evaluation' (Ecorys, 2015), page 5",
        },
        {
            "title": "How we are financed and funded",
            "authors": (("Ways to Wellness", "organisation"),),
            "publisher": "",
            "year": None,
            "date": "",
            "url": "https://waystowellness.org.uk/about/finance-and-funding/",
            "accessed": "",
            "locator": "",
            "document_type": "website",
            "design": "",
        },
        id="2025-05-POJ-0120-source13",
    ),
    pytest.param(
        {
            "text": "PFS contract among Commonwealth of Massachusetts, Roca, Inc., and Youth Services, Inc. (7/01/2014) - p.9 accessed on 25/07/2019 at https://www.thirdsectorcap.org/wp-content/uploads/2015/03/final-pay-for-success-contract-executed-1-7-2013.pdf",
        },
        {
            "title": "PFS contract among Commonwealth of Massachusetts, Roca, Inc., and Youth Services, Inc",
            "authors": (),
            "publisher": "",
            "year": 2014,
            "date": "2014-01-07",
            "url": "https://www.thirdsectorcap.org/wp-content/uploads/2015/03/final-pay-for-success-contract-executed-1-7-2013.pdf",
            "accessed": "2019-07-25",
            "locator": "page 9",
            "document_type": "contract-or-legal",
            "design": "",
        },
        id="2025-05-POJ-0085-source7",
    ),
    pytest.param(
        {
            "text": "MDRC Rikers SIB report (Rudd et al., 2013) - p. 16 accessed on 25/07/2019 at https://www.mdrc.org/sites/default/files/Financing_Promising_evidence-Based_Programs_FR.pdf",
        },
        {
            "title": "MDRC Rikers SIB report",
            "authors": (("Rudd", "person"),),
            "publisher": "",
            "year": 2013,
            "date": "",
            "url": "https://www.mdrc.org/sites/default/files/Financing_Promising_evidence-Based_Programs_FR.pdf",
            "accessed": "2019-07-25",
            "locator": "page 16",
            "document_type": "policy-report",
            "design": "",
        },
        id="2025-05-POJ-0083-source12",
    ),
    pytest.param(
        {
            "text": "Presentation by the Health and Welfare Directorate Canton Bern on the Caritas Perspective SIB (06/2015; accessed July 2019), https://www.gef.be.ch/gef/de/index/direktion/ueber-die-direktion/aktuell.assetref/dam/documents/portal/Medienmitteilungen/de/2015/06/2015-06-16-folien-zu-referaten.pdf - p. 11",
        },
        {
            "title": "Presentation by the Health and Welfare Directorate Canton Bern on the Caritas Perspective SIB",
            "authors": (),
            "publisher": "",
            "year": 2015,
            "date": "2015-06",
            "url": "https://www.gef.be.ch/gef/de/index/direktion/ueber-die-direktion/aktuell.assetref/dam/documents/portal/Medienmitteilungen/de/2015/06/2015-06-16-folien-zu-referaten.pdf",
            "accessed": "2019-07",
            "locator": "page 11",
            "document_type": "policy-report",
            "design": "",
        },
        id="2025-05-POJ-0078-source4",
    ),
    pytest.param(
        {
            "text": 'Decree of the Government of the Russian Federation of November 21, 2019 No. 1491 "On the organization of pilot testing of social impact bonds by the constituent entities of the Russian Federation in 2019 - 2024". Official legal information website.',
            "indigo_type": "Website",
            "url": "http://publication.pravo.gov.ru/Document/View/0001201911290005",
        },
        {
            "title": 'Decree of the Government of the Russian Federation of November 21, 2019 No. 1491 "On the organization of pilot testing of social impact bonds by the constituent entities of the Russian Federation in 2019 - 2024"',
            "authors": (),
            "publisher": "",
            "year": None,
            "date": "",
            "url": "http://publication.pravo.gov.ru/Document/View/0001201911290005",
            "accessed": "",
            "locator": "",
            "document_type": "website",
            "design": "",
        },
        id="2025-05-POJ-0224-source4",
    ),
    pytest.param(
        {
            "text": "Companies House",
            "indigo_type": "Website",
            "url": "https://find-and-update.company-information.service.gov.uk/company/02963378",
            "accessed_date": "2023-03-08",
        },
        {
            "title": "Companies House",
            "authors": (),
            "publisher": "",
            "year": None,
            "date": "",
            "url": "https://find-and-update.company-information.service.gov.uk/company/02963378",
            "accessed": "2023-03-08",
            "locator": "",
            "document_type": "website",
            "design": "",
        },
        id="2025-05-ORG-0001-source1",
    ),
    pytest.param(
        {
            "text": "Qualitative Evaluation of the London Homelessness Social Impact Bond: First Interim Report",
            "url": "https://golab.bsg.ox.ac.uk/documents/Qualitative_Evaluation_of_the_London_Homelessness_SIB.pdf",
        },
        {
            "title": "Qualitative Evaluation of the London Homelessness Social Impact Bond: First Interim Report",
            "authors": (),
            "publisher": "",
            "year": None,
            "date": "",
            "url": "https://golab.bsg.ox.ac.uk/documents/Qualitative_Evaluation_of_the_London_Homelessness_SIB.pdf",
            "accessed": "",
            "locator": "",
            "document_type": "evaluation-report",
            "design": "qualitative",
        },
        id="2025-05-FUND-0015-funds-documents-qualitative",
    ),
    pytest.param(
        {
            "text": "Interim evaluation of the Skill Mill SIB",
            "url": "https://golab.bsg.ox.ac.uk/documents/Interim_Evaluation_of_The_Skill_Mill_SIB_.pdf",
            "notes": "Authors: Susan Baines &Harry Armitage",
        },
        {
            "title": "Interim evaluation of the Skill Mill SIB",
            "authors": (("Baines, Susan", "person"), ("Armitage, Harry", "person")),
            "publisher": "",
            "year": None,
            "date": "",
            "url": "https://golab.bsg.ox.ac.uk/documents/Interim_Evaluation_of_The_Skill_Mill_SIB_.pdf",
            "accessed": "",
            "locator": "",
            "document_type": "evaluation-report",
            "design": "",
        },
        id="2025-05-POJ-0195-projects-documents-interim",
    ),
    pytest.param(
        {
            "text": "Process Evaluation Report: Reducing Youth Offending Social Bond Pilot",
            "url": "https://www.orangatamariki.govt.nz/assets/Uploads/About-us/Research/Latest-research/Reducing-youth-offending-social-bond-pilot/Social-bonds-process-evaluation_FINAL.pdf",
        },
        {
            "title": "Process Evaluation Report: Reducing Youth Offending Social Bond Pilot",
            "authors": (),
            "publisher": "",
            "year": None,
            "date": "",
            "url": "https://www.orangatamariki.govt.nz/assets/Uploads/About-us/Research/Latest-research/Reducing-youth-offending-social-bond-pilot/Social-bonds-process-evaluation_FINAL.pdf",
            "accessed": "",
            "locator": "",
            "document_type": "evaluation-report",
            "design": "process",
        },
        id="2025-05-POJ-0287-projects-documents-process",
    ),
    pytest.param(
        {
            "text": "NSW Parliamentary Research Service, Social Impact Bonds and Recidivism: A new solution to an old problem? 2017 p. 11 accessed on 25/07/2019 at https://apo.org.au/sites/default/files/resource-files/2017/02/apo-nid73721-1147781.pdf",
        },
        {
            "title": "NSW Parliamentary Research Service, Social Impact Bonds and Recidivism: A new solution to an old problem?",
            "authors": (),
            "publisher": "",
            "year": 2017,
            "date": "",
            "url": "https://apo.org.au/sites/default/files/resource-files/2017/02/apo-nid73721-1147781.pdf",
            "accessed": "2019-07-25",
            "locator": "page 11",
            "document_type": "policy-report",
            "design": "",
        },
        id="2025-05-POJ-0006-source2",
    ),
    pytest.param(
        {
            "text": "Social Finance database. https://sibdatabase.socialfinance.org.uk/?project_id=70, accessed 25 July 2019., ABN AMRO website https://www.abnamro.com/en/about-abnamro/in-society/sustainability/finance-and-investment/social-impact-bonds/index.html accessed 25 July 2019.",
        },
        {
            "title": "Social Finance database",
            "authors": (),
            "publisher": "",
            "year": None,
            "date": "",
            "url": "https://sibdatabase.socialfinance.org.uk/?project_id=70",
            "accessed": "2019-07-25",
            "locator": "",
            "document_type": "data-set",
            "design": "",
        },
        id="2025-05-POJ-0044-source4",
    ),
    pytest.param(
        {
            "text": 'Gloucester City Council Progress Report on Countywide Entrenched Homeless Social Impact Bond ("ACTion Glos")", 12/09/2018, https://democracy.gloucester.gov.uk/documents/s46375/Report%20on%20Entrenched%20Homeless%20Social%20Impact%20Bond.pdf - p. 3',
        },
        {
            "title": 'Gloucester City Council Progress Report on Countywide Entrenched Homeless Social Impact Bond ("ACTion Glos")',
            "authors": (),
            "publisher": "",
            "year": 2018,
            "date": "2018-09-12",
            "url": "https://democracy.gloucester.gov.uk/documents/s46375/Report%20on%20Entrenched%20Homeless%20Social%20Impact%20Bond.pdf",
            "accessed": "",
            "locator": "page 3",
            "document_type": "policy-report",
            "design": "",
        },
        id="2025-05-POJ-0109-source3",
    ),
    pytest.param(
        {
            "text": "Commissioning Better Outcomes Awards from July 2013 to November 2018 (Accessed: 18 July 2019) https://www.google.com/url?sa=t&rct=j&q=&esrc=s&source=web&cd=5&ved=2ahUKEwjmkfO907_jAhUkrXEKHYGPA2UQFjAEegQIBRAC&url=https%3A%2F%2Fwww.tnlcommunityfund.org.uk%2Fmedia%2Fdocuments%2Ffull-cost-recovery%2FCommissioning-Better-Outcomes%2FCBO_grant_awards.xls%3Fmtime%3D20190228100344&usg=AOvVaw1Fdu2GiiC6boDEgA3wBnqk",
        },
        {
            "title": "Commissioning Better Outcomes Awards from July 2013 to November 2018",
            "authors": (),
            "publisher": "",
            "year": 2018,
            "date": "",
            "url": "https://www.google.com/url?sa=t&rct=j&q=&esrc=s&source=web&cd=5&ved=2ahUKEwjmkfO907_jAhUkrXEKHYGPA2UQFjAEegQIBRAC&url=https%3A%2F%2Fwww.tnlcommunityfund.org.uk%2Fmedia%2Fdocuments%2Ffull-cost-recovery%2FCommissioning-Better-Outcomes%2FCBO_grant_awards.xls%3Fmtime%3D20190228100344&usg=AOvVaw1Fdu2GiiC6boDEgA3wBnqk",
            "accessed": "2019-07-18",
            "locator": "",
            "document_type": "data-set",
            "design": "",
        },
        id="2025-05-POJ-0112-source1",
    ),
    pytest.param(
        {
            "text": 'Epiqus website "Funds" (accessed 2 August 2019)  https://www.epiqus.com/funds.html; EVPA Roundtable presentation (13 Octcober 2016) on "Private investments, public funding and one goal"  (Mika Pyykkö), page 8 (accessed 2 August 2019) https://evpa.eu.com/uploads/documents/2016_10_13-B.-Private-investments-public-funding_MPSITRA.pdf',
        },
        {
            "title": 'Epiqus website "Funds"',
            "authors": (),
            "publisher": "",
            "year": None,
            "date": "",
            "url": "https://www.epiqus.com/funds.html",
            "accessed": "2019-08-02",
            "locator": "",
            "document_type": "website",
            "design": "",
        },
        id="2025-05-POJ-0025-source1",
    ),
    pytest.param(
        {
            "text": "GUSTAFSSON-WRIGHT, E. (2019b). “Impact Bonds and Outcome Funds for Development”. [PowerPoint presentation]. Available at: http://www.ib-wg.com/pdfs/Brookings.pdf (Accessed: 21 May 2019)",
        },
        {
            "title": "Impact Bonds and Outcome Funds for Development",
            "authors": (("Gustafsson-Wright, E.", "person"),),
            "publisher": "",
            "year": 2019,
            "date": "",
            "url": "http://www.ib-wg.com/pdfs/Brookings.pdf",
            "accessed": "2019-05-21",
            "locator": "",
            "document_type": "policy-report",
            "design": "",
        },
        id="2024-04-POJ-0023-source1",
    ),
    pytest.param(
        {
            "text": "Seoul SIB Fact Sheet (accessed: 26.07.2019) http://panimpact.kr/seoul-sib-fact-sheet/",
        },
        {
            "title": "Seoul SIB Fact Sheet",
            "authors": (),
            "publisher": "",
            "year": None,
            "date": "",
            "url": "http://panimpact.kr/seoul-sib-fact-sheet/",
            "accessed": "2019-07-26",
            "locator": "",
            "document_type": "policy-report",
            "design": "",
        },
        id="2025-05-POJ-0076-source1",
    ),
    pytest.param(
        {
            "text": "Information about the project on the official web-site of VEB.RF",
            "indigo_type": "Website",
            "url": "https://xn--90ab5f.xn--p1ai/ustojchivoe-razvitie/socialnoe-finansirovanie-test/socialnye-proekty/project-04/",
            "publication_date": "2021",
        },
        {
            "title": "Information about the project on the official web-site of VEB.RF",
            "authors": (),
            "publisher": "",
            "year": 2021,
            "date": "2021",
            "url": "https://xn--90ab5f.xn--p1ai/ustojchivoe-razvitie/socialnoe-finansirovanie-test/socialnye-proekty/project-04/",
            "accessed": "",
            "locator": "",
            "document_type": "website",
            "design": "",
        },
        id="2025-05-POJ-0226-source1",
    ),
]


@pytest.mark.parametrize(("columns", "expected"), REAL_STRINGS)
def test_real_source_string_is_parsed(columns, expected):
    citation = parse_citation(**columns)
    got = {field: getattr(citation, field) for field in expected}
    got["authors"] = tuple((author.name, author.kind) for author in citation.authors)
    assert got == expected
    assert citation.original == columns["text"]
    assert citation.document_type in DOCUMENT_TYPES
    assert citation.type_basis
    assert citation.design in ("", *DESIGNS)
    assert bool(citation.design) == bool(citation.design_basis)


def test_enough_real_strings_and_non_english_ones():
    assert len(REAL_STRINGS) >= 60
    non_english = [
        "POJ-0061-source2",
        "POJ-0063-source4",
        "POJ-0078-source10",
        "POJ-0029-source4",
        "POJ-0029-source2",
        "POJ-0030-source3",
        "POJ-0031-source6",
        "POJ-0327-source1",
        "POJ-0212-source2",
        "POJ-0060-source5",
        "POJ-0023-source11",
    ]
    ids = [param.id for param in REAL_STRINGS]
    assert all(any(i.endswith(wanted) for i in ids) for wanted in non_english)


def test_a_string_citing_several_sources_gives_the_others_too():
    citation = parse_citation(
        "Evaluation of the Fair Chance Fund Final Report (ICF, 2019) page 16 and Fair Chance "
        "Fund Interim Report Year One (ICF, 2017), page 117"
    )
    assert (citation.title, citation.year, citation.locator) == (
        "Evaluation of the Fair Chance Fund Final Report",
        2019,
        "page 16",
    )
    [other] = citation.others
    assert (other.title, other.publisher, other.year, other.locator) == (
        "Fair Chance Fund Interim Report Year One",
        "ICF",
        2017,
        "page 117",
    )


def test_structured_columns_win_over_the_string():
    citation = parse_citation(
        "Email correspondence with Bridges Outcomes Partnerships on 6th December 2024",
        indigo_type="Email correspondence",
        publication_date="2024-12-05",
        url="https://example.org/x ",
        publishing_organisations="Bridges Outcomes Partnerships",
    )
    assert citation.date == "2024-12-05"
    assert citation.url == "https://example.org/x"
    assert citation.publisher == "Bridges Outcomes Partnerships"
    assert citation.type_basis == "INDIGO type: Email correspondence"


def test_indigo_organisation_ids_as_publisher_are_kept_apart():
    citation = parse_citation(
        "DCMS Data Portal for LFC projects",
        indigo_type="Website",
        publishing_organisations="INDIGO-ORG-0171, INDIGO-ORG-0306",
    )
    assert citation.publisher == ""
    assert citation.publisher_ids == ("INDIGO-ORG-0171", "INDIGO-ORG-0306")


def test_nothing_is_invented_for_an_empty_string():
    citation = parse_citation("")
    assert (citation.title, citation.year, citation.date, citation.url) == ("", None, "", "")
    assert citation.authors == ()
    assert citation.document_type == "other"


def test_a_local_file_path_is_not_a_url():
    citation = parse_citation(
        "Social Ventures Australia Aspire Social Impact Bond Annual Investor report, 2018 p. 4 "
        "accessed on 24/07/2019 at file:///Users/bsog0147/Downloads/993_aspire_sib_annual_investor_report_2018-web_singles.pdf"
    )
    assert citation.url == ""
    assert "file" not in citation.title


def test_authors_from_the_notes_column():
    citation = parse_citation(
        "Interim evaluation of the Skill Mill SIB", notes="Authors: Susan Baines &Harry Armitage"
    )
    assert citation.authors == (
        ParsedAuthor("Baines, Susan", "person"),
        ParsedAuthor("Armitage, Harry", "person"),
    )


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("https://www.Brookings.edu/research/x/", "brookings.edu/research/x"),
        ("http://brookings.edu/research/x", "brookings.edu/research/x"),
        (
            "https://www.benevolent.org.au/about-us/social-benefit-bond#heading3",
            "benevolent.org.au/about-us/social-benefit-bond",
        ),
        (
            "https://pdfs.semanticscholar.org/5d20/a.pdf?_ga=2.100099741.266488314",
            "pdfs.semanticscholar.org/5d20/a.pdf",
        ),
        (
            "http://www.social-finance.org.il/category/Preventing-Type-2-Diabetes?gclid=Cj0KCQjw",
            "social-finance.org.il/category/Preventing-Type-2-Diabetes",
        ),
        (
            "https://sibdatabase.socialfinance.org.uk/?project_id=70,",
            "sibdatabase.socialfinance.org.uk?project_id=70",
        ),
        (
            "https://www.google.com/url?sa=t&rct=j&q=&esrc=s&source=web&cd=5&url=https%3A%2F%2Fwww.tnlcommunityfund.org.uk%2Fmedia%2FCBO_grant_awards.xls%3Fmtime%3D20190228100344&usg=AOvVaw1",
            "tnlcommunityfund.org.uk/media/CBO_grant_awards.xls",
        ),
        ("https://вэб.рф/ustojchivoe-razvitie/", "xn--90ab5f.xn--p1ai/ustojchivoe-razvitie"),
        # GO Lab's uploads: the same file stored again under a suffixed name is one address,
        # a name ending in a word is not touched.
        (
            "https://golab.bsg.ox.ac.uk/documents/Fair_Chance_Fund_final_report_gCHRwYY.pdf",
            "golab.bsg.ox.ac.uk/documents/Fair_Chance_Fund_final_report.pdf",
        ),
        (
            "https://golab.bsg.ox.ac.uk/documents/Newpin-Evaluation-Final-Report_8mrWuf2.pdf",
            "golab.bsg.ox.ac.uk/documents/Newpin-Evaluation-Final-Report.pdf",
        ),
        (
            "https://golab.bsg.ox.ac.uk/documents/Lisbon_SIB_Executive_Summary.pdf",
            "golab.bsg.ox.ac.uk/documents/Lisbon_SIB_Executive_Summary.pdf",
        ),
        (
            "https://golab.bsg.ox.ac.uk/documents/London_Homelessness_SIB_exec_summary.pdf",
            "golab.bsg.ox.ac.uk/documents/London_Homelessness_SIB_exec_summary.pdf",
        ),
        (
            "https://example.org/documents/report_gCHRwYY.pdf",
            "example.org/documents/report_gCHRwYY.pdf",
        ),
        ("", ""),
    ],
)
def test_normalise_url(url, normalised):
    assert normalise_url(url) == normalised


def test_normalise_title_folds_case_accents_and_punctuation():
    assert normalise_title("Portugal Inovação Social - Relatório de Execução  2017.") == (
        "portugal inovacao social relatorio de execucao 2017"
    )
    assert normalise_title("Teens & Toddlers") == normalise_title("teens and toddlers")
