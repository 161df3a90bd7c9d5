#!/usr/bin/env python3
"""Write corpus/demo/expected.json: the hand-written facts of the demo corpus
(cast, attacks, links, claims) plus search hit sets computed from the files.

Run after editing the corpus, then check with validate.py:
    python3 tools/corpus/make_expected.py && python3 tools/corpus/validate.py
"""
import json, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
import validate as V  # noqa: E402
docs, formats = V.load()
F = {
 "malmo_wire":"2025-03-14_cpa_malmo_station_blast.txt",
 "swe_stmt":"2025-03-17_sweden_nctc_statement.txt",
 "intsum":"2025-04-07_jtf_orchid_intsum.pdf",
 "intercept":"2025-06-05_intercept_ledger_to_samir.eml",
 "rdam_eurodaily":"2025-06-07_eurodaily_rotterdam_market_attack.html",
 "rdam_lowlands":"2025-06-07_lowlands_herald_rotterdam_van.html",
 "nl_om":"2025-06-13_nl_prosecution_second_arrest.html",
 "payment":"2025-08-12_meridian_kargo_payment_reply.eml",
 "malmo_court":"2025-09-02_malmo_district_court_judgment_B2231-25.pdf",
 "lyon_news":"2025-09-20_rhone_matin_lyon_shooting.html",
 "lyon_pros":"2025-09-24_lyon_prosecutor_statement.txt",
 "ctts":"2025-10-03_ctts_analysis_northern_crescent_brigade.md",
 "pretrial":"2025-10-14_lowlands_herald_rotterdam_pretrial.txt",
 "nl_brief":"2025-11-20_nl_coordinator_briefing_note.docx",
 "graz_wire":"2026-01-11_dws_graz_car_bomb.txt",
 "graz_news":"2026-01-13_alpenland_today_graz_suspect.html",
 "graz_memo":"2026-01-16_alpenland_graz_memo_with_attachment.eml",
 "osint":"2026-01-30_osint_notebook_crescent_ledger.md",
 "europol":"2026-02-12_europol_jit_statement.txt",
 "lka":"2026-02-27_hamburg_lka_search_report.docx",
 "court1187":"2026-03-04_rotterdam_court_case_2025-CR-1187.pdf",
 "arrest":"2026-03-05_hamburg_harbour_post_arrest.html",
 "feed":"2026-03_nordic_daily_post_feed.jsonl",
 "mbox":"meridian_kargo_leaked_mailbox.mbox",
}
for k,v in F.items(): assert (V.DOCS/v).exists(), v
queries=[
 ("Velasco","the handler's surname in every spelling (Velasco-Oduya, Velasco Oduya, Velasco-Oduja, K. Velasco)"),
 ("Accountant","the handler's alias in English, also as glosses of Revisorn, le Comptable, Buchhalter, al-Muhasib"),
 ("Rungholtweg","the Hamburg safe house / front-company address"),
 ("Meridian Kargo","the front company"),
 ("900418","the handler's phone number +44 7700 900418"),
 ("203.0.113.47","the IP address of the Rungholtweg 9 connection"),
 ("ledger.keeper","the handler's e-mail address ledger.keeper@veilmail.example (header-only hits are may_include)"),
 ("crescent_ledger","the Telegram handle @crescent_ledger (a tokenizer may split it: search crescent_ledger or \"crescent ledger\")"),
 ("Northern Crescent Brigade","the armed group, full English name"),
 ("Ferhat","two different people: Rachid Ferhat (Lyon gunman) and Dr Leila Ferhat (analyst)"),
 ("Amiri-Karlsson","Malmö attacker"),
 ("Oosterhout","Rotterdam driver (Samir O. in early reports)"),
 ("Moen-Bakker","Rotterdam facilitator, returning foreign fighter (Idris M.-B. in early reports)"),
 ("Selmani","Graz attacker (Adrian S. in the first wire)"),
 ("2025/CR/1187","document reference of the Rotterdam court case"),
 ("AK-pattern","weapon type"),
 ("Sprinter","the stolen van"),
 ("Lindqvist","Swedish national counterterrorism coordinator"),
]
searches=[]
for q,why in queries:
    lo=sorted(V.hits(docs,q,"minimal")); hi=sorted(V.hits(docs,q,"maximal"))
    s={"query":q,"note":why,"must_include":lo}
    extra=[h for h in hi if h not in lo]
    if extra: s["may_include"]=extra
    searches.append(s)
exp={
 "_comment":"Expectations for tests on corpus/demo/docs (all fiction). File names are relative to corpus/demo/docs. tools/corpus/validate.py checks every search, count and entity listed here against the files.",
 "root":"corpus/demo/docs",
 "files":sum(formats.values()),
 "documents":len(docs),
 "document_counting":"one document per .txt/.md/.html/.pdf/.docx file; .eml = the message plus one child document per attachment; .mbox = one document per message (the mbox file itself is not a document); .jsonl = one document per record",
 "formats":formats,
 "documents_by_container":{
   F["mbox"]:3, F["feed"]:4, F["graz_memo"]:2
 },
 "attachments":[{"parent":F["graz_memo"],"filename":"LPD-ST_SE-2026-0042_memo.txt","content_type":"text/plain","transfer_encoding":"base64","contains":["@crescent_ledger","+44 7700 900418","Meridian Kargo Services GmbH","Rungholtweg 9"]}],
 "language":"en",
 "near_duplicates":[[F["rdam_lowlands"],F["rdam_eurodaily"]]],
 "near_duplicate_note":"the same CPA wire story: different headline and outlet, one witness sentence reworded, otherwise identical body; word 5-shingle Jaccard about 0.74 on the article text. No other pair exceeds 0.3.",
 "metadata":[
  {"file":F["rdam_lowlands"],"title":"Two killed as stolen van ploughs into Rotterdam market","site_name":"Lowlands Herald","author":"Continental Press Agency","published":"2025-06-07T14:05:00+02:00"},
  {"file":F["rdam_eurodaily"],"title":"Rotterdam market attack: van driver shot by police after two die","site_name":"EuroDaily Review","author":"CPA / EuroDaily Review staff","published":"2025-06-07T15:20:00+02:00"},
  {"file":F["nl_om"],"title":"Second suspect arrested in investigation into Binnenrotte attack","site_name":"Public Prosecution Service (Netherlands)","author":"Public Prosecution Service, Rotterdam district","published":"2025-06-13T11:30:00+02:00"},
  {"file":F["lyon_news"],"title":"Lyon bar shooting: three dead as gunmen with assault rifles open fire in Guillotière","title_og":"Lyon bar shooting: three dead as gunmen open fire in Guillotière","site_name":"Rhône Matin International","author":"Sophie Marchand","published":"2025-09-20T08:15:00+02:00","json_ld":"NewsArticle"},
  {"file":F["graz_news"],"title":"Who is the Graz station bomber? A quiet IT technician who \"changed overnight\"","site_name":"Alpenland Today","author":"Tom Berger","published":"2026-01-13T07:00:00+01:00"},
  {"file":F["arrest"],"title":"Hamburg logistics boss arrested at airport on terrorism financing warrant","site_name":"The Hamburg Harbour Post","author":"Jakob Lindemann","published":"2026-03-05T09:45:00+01:00"},
  {"file":F["intsum"],"title":"JTF ORCHID J2 Intelligence Summary JTF-O/J2/INTSUM/2025-097","author":"Joint Task Force ORCHID, J2","published":"2025-04-07T16:30:00+00:00"},
  {"file":F["malmo_court"],"title":"Malmö District Court, judgment in case B 2231-25 (unofficial English summary)","author":"Malmö District Court","published":"2025-09-02T11:00:00+02:00"},
  {"file":F["court1187"],"title":"Rotterdam District Court, Court case 2025/CR/1187, judgment of 4 March 2026","author":"Rotterdam District Court","published":"2026-03-04T14:00:00+01:00"},
  {"file":F["nl_brief"],"title":"Briefing note: Returning foreign fighters and the Northern Crescent Brigade","author":"Office of the National Coordinator for Counterterrorism and Security","published":"2025-11-20T09:00:00Z"},
  {"file":F["lka"],"title":"Report on the search of the premises Rungholtweg 9, 21107 Hamburg (LKA-HH-2026/0311)","author":"State Criminal Police Office Hamburg, State Protection Division","published":"2026-02-27T15:20:00Z"},
  {"file":F["intercept"],"from":"A <ledger.keeper@veilmail.example>","to":"Samir <s.oosterhout91@postbox.example>","subject":"re: the delivery","published":"2025-06-05T21:14:06+02:00"},
  {"file":F["payment"],"from":"Rachid Ferhat <r.ferhat.lyon@postbox.example>","to":"Meridian Kargo Services Accounts <accounts@meridian-kargo.example>","cc":"ledger.keeper@veilmail.example","subject":"Re: Zahlungsavis / Payment advice MKS-2025-0811","published":"2025-08-12T09:03:51+02:00"},
  {"file":F["graz_memo"],"from":"Tom Berger <t.berger@alpenlandtoday.example>","to":"Katrin Moser <k.moser@alpenlandtoday.example>","subject":"Graz: police memo from our source (do not forward)","published":"2026-01-16T07:12:30+01:00"},
  {"file":F["mbox"]+"#1","from":"Karim Velasco-Oduya <k.velasco@meridian-kargo.example>","subject":"Move from Antwerp","published":"2025-01-20T09:12:44+01:00"},
  {"file":F["mbox"]+"#2","from":"\"K. Velasco\" <k.velasco@meridian-kargo.example>","subject":"Payment to Rotterdam subcontractor","published":"2025-05-26T17:40:02+02:00"},
  {"file":F["mbox"]+"#3","from":"Dirk Sommer <d.sommer@meridian-kargo.example>","subject":"Company card - car rental Munich, January","published":"2025-12-18T11:05:37+01:00"},
  {"file":F["feed"]+"#nordic-daily-post-2026-02-12-jit","published":"2026-02-12","source":"Nordic Daily Post"},
  {"file":F["feed"]+"#nordic-daily-post-2026-02-16-rotterdam-trial","published":"2026-02-16","source":"Nordic Daily Post"},
  {"file":F["feed"]+"#nordic-daily-post-2026-02-25-hamburg-search","published":"2026-02-25","source":"Nordic Daily Post"},
  {"file":F["feed"]+"#nordic-daily-post-2026-03-06-recruit-numbers","published":"2026-03-06","source":"Nordic Daily Post"},
  {"file":F["ctts"],"title":"Out of Idlib: the Northern Crescent Brigade's European ambitions","author":"Dr Leila Ferhat","published":"2025-10-03","note":"date and author only in the italic byline line"},
  {"file":F["osint"],"title":"Following the ledger: notes on a Telegram channel that talks like an accountant","author":"Noor Haddadi","published":"2026-01-30","note":"YAML front matter (title, author, date, site)"}
 ],
 "searches":searches,
 "handler":{
  "name":"Karim Velasco-Oduya",
  "type":"Person",
  "variants":["Karim Velasco-Oduya","Kareem Velasco Oduya","Velasco Oduya","K. Velasco-Oduja","K. Velasco-Oduya","K. Velasco","Karim V.-O.","Velasco-Oduya"],
  "aliases":["the Accountant","al-Muhasib","Revisorn","le Comptable","Buchhalter"],
  "identifiers":{"phone":"+44 7700 900418","email":"ledger.keeper@veilmail.example","company_email":"k.velasco@meridian-kargo.example","telegram":"@crescent_ledger","ip":"203.0.113.47","address":"Rungholtweg 9, 21107 Hamburg","front_company":"Meridian Kargo Services GmbH"},
  "no_single_document_links_all_four_attacks":True
 },
 "attacks":[
  {"id":"malmo","city":"Malmö","country":"Sweden","date":"2025-03-14","type":"bombing","weapon":"IED (nail pipe bomb in a backpack)","place":"Triangeln station","killed":0,"injured":4,
   "perpetrators":["Yusuf Amiri-Karlsson"],"first_judged":"lone actor",
   "isolated_reports":[F["malmo_wire"],F["swe_stmt"]],
   "link_to_handler":[{"file":F["malmo_court"],"via":"phone +44 7700 900418 saved as 'Revisorn'; stay at Rungholtweg 9; subscriber identified as K. Velasco-Oduja"},{"file":F["mbox"]+"#1","via":"'first guest comes from Sweden on 3 February' at Rungholtweg 9"},{"file":F["lka"],"via":"guest list 'Y. (Sweden), 3-17 Feb' (no city named)"}]},
  {"id":"rotterdam","city":"Rotterdam","country":"Netherlands","date":"2025-06-07","type":"vehicle ramming","weapon":"stolen white Mercedes-Benz Sprinter van","place":"Binnenrotte market","killed":2,"injured":"11 (first reports) / 13 (revised)",
   "perpetrators":["Samir Oosterhout","Idris Moen-Bakker (facilitator, returning foreign fighter)"],"first_judged":"acted alone",
   "isolated_reports":[F["rdam_lowlands"],F["rdam_eurodaily"]],
   "link_to_handler":[{"file":F["intercept"],"via":"e-mail from ledger.keeper@veilmail.example, IP 203.0.113.47, phone +44 7700 900418, signed 'A.'"},{"file":F["court1187"],"via":"court finds 'the Accountant' is Karim Velasco-Oduya; EUR 2,900 from Meridian Kargo"},{"file":F["mbox"]+"#2","via":"payment order EUR 2,900 to I. Moen-Bakker"},{"file":F["arrest"],"via":"Rotterdam court named him"},{"file":F["lka"],"via":"payments to Moen-Bakker and to a person in Rotterdam"}]},
  {"id":"lyon","city":"Lyon","country":"France","date":"2025-09-19","type":"shooting","weapon":"AK-pattern rifles","place":"bar Le Zinc Bleu, rue de Marseille, Guillotière","killed":3,"injured":6,
   "perpetrators":["Rachid Ferhat (killed)","Lucas Perrin-Saadi"],"first_judged":"no link to any organisation",
   "isolated_reports":[F["lyon_news"]],
   "link_to_handler":[{"file":F["lyon_pros"],"via":"EUR 4,800 from Meridian Kargo Services GmbH; stay in Hamburg-Wilhelmsburg; 'le Comptable'"},{"file":F["payment"],"via":"payment advice signed by managing director K. Velasco-Oduya, Cc ledger.keeper@veilmail.example, stay at Rungholtweg"},{"file":F["lka"],"via":"EUR 4,800 to Rachid Ferhat, Lyon; assessment names Velasco-Oduya with Lyon and Graz"}]},
  {"id":"graz","city":"Graz","country":"Austria","date":"2026-01-11","type":"bombing","weapon":"IED in a rented grey Škoda Octavia (car bomb)","place":"near Graz main station, Europaplatz","killed":1,"injured":5,
   "perpetrators":["Adrian Selmani-Weiss"],"first_judged":"isolated act, no accomplices",
   "isolated_reports":[F["graz_wire"],F["graz_news"]],
   "link_to_handler":[{"file":F["graz_memo"],"via":"attachment: Telegram @crescent_ledger, +44 7700 900418 saved as 'Buchhalter', car paid by Meridian Kargo card, Rungholtweg 9"},{"file":F["mbox"]+"#3","via":"car rental for A. Selmani-Weiss on the company card, addressed to Karim Velasco-Oduya"},{"file":F["lka"],"via":"car rental payment; assessment names Velasco-Oduya with Lyon and Graz"}]}
 ],
 "what_connects":{
  "query":"what connects the attacks in Malmö, Rotterdam, Lyon and Graz?",
  "expected_first":"Karim Velasco-Oduya",
  "also_relevant":["Meridian Kargo Services GmbH","Rungholtweg 9","+44 7700 900418","ledger.keeper@veilmail.example","@crescent_ledger","203.0.113.47","Hamburg","Northern Crescent Brigade"],
  "must_not_be_first":["Europol","Europe","Germany","Sweden","Netherlands","France","Austria"]
 },
 "conflicting_claims":[
  {"subject":"Northern Crescent Brigade","attribute":"recruits in Europe","claims":[
    {"value":40,"qualifier":"about","source":"Marta Lindqvist","file":F["feed"]+"#nordic-daily-post-2026-03-06-recruit-numbers"},
    {"value":40,"qualifier":"about","source":"Office of the National Coordinator for Counterterrorism and Security (intelligence and security services estimate)","file":F["nl_brief"]},
    {"value":40,"qualifier":"closer to","source":"officials (reported speech)","file":F["ctts"]},
    {"value":60,"qualifier":"more than","source":"Leila Ferhat / CTTS","file":F["ctts"]},
    {"value":60,"qualifier":"more than","source":"Leila Ferhat","file":F["feed"]+"#nordic-daily-post-2026-03-06-recruit-numbers"}]},
  {"subject":"Binnenrotte market attack, Rotterdam","attribute":"injured","claims":[
    {"value":11,"source":"Dutch police via CPA","file":F["rdam_lowlands"]},
    {"value":11,"source":"Dutch police via CPA","file":F["rdam_eurodaily"]},
    {"value":13,"source":"Public Prosecution Service (revised)","file":F["nl_om"]},
    {"value":13,"source":"Europol","file":F["europol"]}]}
 ],
 "not_conflicting":[
  {"note":"'slightly more than 60 have returned' (Dutch returnees) is a different attribute from 'more than 60 recruits' and must not be reported as a conflict with it","file":F["nl_brief"]}
 ],
 "same_surname_different_people":[
  {"surname":"Ferhat","people":[
    {"name":"Rachid Ferhat","role":"Lyon gunman, killed by police","files":[F["lyon_news"],F["lyon_pros"],F["payment"],F["lka"],F["ctts"]]},
    {"name":"Leila Ferhat","role":"senior fellow, Centre for Transnational Threat Studies (CTTS), Brussels","files":[F["ctts"],F["feed"]+"#nordic-daily-post-2026-03-06-recruit-numbers"]}],
   "note":"the CTTS analysis mentions both ('Rachid Ferhat (no relation to the author)'; 'Ferhat previously worked as an analyst' = Leila); in the 2026-03-06 feed record every bare 'Ferhat' is Leila"}
 ],
 "entities":[
  {"name":"Karim Velasco-Oduya","type":"Person","variants":["Velasco"],"min_documents":7},
  {"name":"Northern Crescent Brigade","type":"Organisation","variants":["Northern Crescent Brigade","NCB","Liwa al-Hilal","Liwa' al-Hilal","Crescent Brigade"],"acronym":"NCB","aliases":["Liwa al-Hilal al-Shamali","Liwa' al-Hilal ash-Shamali","Liwa al-Hilal al-Shamaali","Liwa al-Hilal","the Crescent Brigade"],"min_documents":8},
  {"name":"Abu Muhammad al-Sahili","type":"Person","variants":["Abu Muhammad al-Sahili","Abu Mohammed al-Sahili","Abu Mohamed as-Sahili"],"min_documents":3},
  {"name":"Meridian Kargo Services GmbH","type":"Organisation","variants":["Meridian Kargo"],"min_documents":9},
  {"name":"Yusuf Amiri-Karlsson","type":"Person","variants":["Amiri-Karlsson"],"min_documents":2},
  {"name":"Samir Oosterhout","type":"Person","variants":["Oosterhout","Samir O."],"min_documents":6},
  {"name":"Idris Moen-Bakker","type":"Person","variants":["Moen-Bakker","Idris M.-B."],"min_documents":5},
  {"name":"Rachid Ferhat","type":"Person","variants":["Rachid Ferhat"],"min_documents":5},
  {"name":"Leila Ferhat","type":"Person","variants":["Leila Ferhat"],"min_documents":2},
  {"name":"Adrian Selmani-Weiss","type":"Person","variants":["Selmani"],"min_documents":4},
  {"name":"Lucas Perrin-Saadi","type":"Person","variants":["Perrin-Saadi"],"min_documents":2},
  {"name":"Marta Lindqvist","type":"Person","variants":["Lindqvist"],"min_documents":3},
  {"name":"Claire Dumontel","type":"Person","variants":["Dumontel"],"min_documents":2},
  {"name":"Gernot Pichlmayr","type":"Person","variants":["Pichlmayr"],"min_documents":2},
  {"name":"Anja Reuter","type":"Person","variants":["Reuter"],"min_documents":2},
  {"name":"Wilma Verbeek","type":"Person","variants":["Verbeek"],"min_documents":2},
  {"name":"Rungholtweg 9","type":"Location","variants":["Rungholtweg"],"min_documents":9},
  {"name":"+44 7700 900418","type":"CommsIdentifier","variants":["900418"],"min_documents":6},
  {"name":"ledger.keeper@veilmail.example","type":"CommsIdentifier","variants":["ledger.keeper@veilmail.example"],"min_documents":3},
  {"name":"@crescent_ledger","type":"CommsIdentifier","variants":["@crescent_ledger"],"min_documents":3},
  {"name":"203.0.113.47","type":"CommsIdentifier","variants":["203.0.113.47"],"min_documents":3},
  {"name":"Court case 2025/CR/1187","type":"DocumentReference","variants":["2025/CR/1187"],"min_documents":3},
  {"name":"146.520 MHz","type":"Frequency","variants":["146.520 MHz","7.145 MHz"],"min_documents":1},
  {"name":"37S BV 86625 80012","type":"Location","variants":["37S BV 86625 80012"],"min_documents":1,"coordinates":[35.9412,36.6345]}
 ],
 "patterns":{
  "mgrs":["37S BV 86625 80012"],"decimal_coordinates":["35.9412 N, 36.6345 E"],
  "frequencies":["146.520 MHz","7.145 MHz"],
  "phones":["+44 7700 900418","+49 40 5550 1873"],
  "emails":["ledger.keeper@veilmail.example","accounts@meridian-kargo.example","k.velasco@meridian-kargo.example","d.sommer@meridian-kargo.example","h.bouzidi@meridian-kargo.example","r.ferhat.lyon@postbox.example","s.oosterhout91@postbox.example","t.berger@alpenlandtoday.example","k.moser@alpenlandtoday.example"],
  "ip_addresses":["203.0.113.47"],"social_handles":["@crescent_ledger"],
  "document_references":["Court case 2025/CR/1187","2025/CR/1188","B 2231-25","JTF-O/J2/INTSUM/2025-097","LKA-HH-2026/0311","LPD-ST/SE-2026/0042","HRB 178342","MKS-2025-0811"],
  "money":["EUR 4,800.00","4,800 euros","EUR 2,900","EUR 412.60","600 euros"]
 }
}
with open(V.DEMO / 'expected.json', 'w', encoding='utf-8') as fh:
    json.dump(exp, fh, indent=2, ensure_ascii=False)
    fh.write('\n')
print('wrote', V.DEMO / 'expected.json')
