"""Writes services/lists/countries.yaml and services/lists/nationalities.yaml from Babel's CLDR data.

Run once (and again when Babel's CLDR is updated), then read the diff:

    .venv/bin/python tools/make_country_lists.py

Countries: every code ISO 3166-1 assigns (249, territories such as Hong Kong or Puerto Rico included, since
passports and addresses name them), with CLDR's Khmer and English names. CLDR's regions (001, 150, ...),
groupings (EU, EZ, UN, QO), its own codes (XA, XB, XK, ZZ) and the codes ISO only reserves (AC, CP, CQ, DG,
EA, IC, TA) are left out.

Nationalities: the nationality of a person, keyed by the same codes, for the states and the places with a
nationality or passport of their own (a resident of Guam or Greenland holds the nationality of the United
States or Denmark). CLDR has no demonyms, so the Khmer label is "សញ្ជាតិ" and CLDR's Khmer name of the country
("សញ្ជាតិខ្មែរ" for Cambodia, as Cambodian documents write it), and the English label is the adjective written
here by hand, in DEMONYMS. One entry is not a country: `stateless`."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml
from babel import Locale

OUT = Path(__file__).resolve().parent.parent / "services" / "lists"
NOT_COUNTRIES = {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"}

# English adjectives of nationality, for the UN's members and observers and the places with passports of their
# own. A code missing here has no nationality entry.
DEMONYMS = {
    "AD": "Andorran", "AE": "Emirati", "AF": "Afghan", "AG": "Antiguan and Barbudan", "AL": "Albanian",
    "AM": "Armenian", "AO": "Angolan", "AR": "Argentine", "AT": "Austrian", "AU": "Australian",
    "AZ": "Azerbaijani", "BA": "Bosnian and Herzegovinian", "BB": "Barbadian", "BD": "Bangladeshi",
    "BE": "Belgian", "BF": "Burkinabe", "BG": "Bulgarian", "BH": "Bahraini", "BI": "Burundian",
    "BJ": "Beninese", "BN": "Bruneian", "BO": "Bolivian", "BR": "Brazilian", "BS": "Bahamian",
    "BT": "Bhutanese", "BW": "Botswanan", "BY": "Belarusian", "BZ": "Belizean", "CA": "Canadian",
    "CD": "Congolese (Congo - Kinshasa)", "CF": "Central African", "CG": "Congolese (Congo - Brazzaville)",
    "CH": "Swiss", "CI": "Ivorian", "CL": "Chilean", "CM": "Cameroonian", "CN": "Chinese", "CO": "Colombian",
    "CR": "Costa Rican", "CU": "Cuban", "CV": "Cape Verdean", "CY": "Cypriot", "CZ": "Czech", "DE": "German",
    "DJ": "Djiboutian", "DK": "Danish", "DM": "Dominican (Dominica)", "DO": "Dominican (Dominican Republic)",
    "DZ": "Algerian", "EC": "Ecuadorian", "EE": "Estonian", "EG": "Egyptian", "ER": "Eritrean",
    "ES": "Spanish", "ET": "Ethiopian", "FI": "Finnish", "FJ": "Fijian", "FM": "Micronesian", "FR": "French",
    "GA": "Gabonese", "GB": "British", "GD": "Grenadian", "GE": "Georgian", "GH": "Ghanaian",
    "GM": "Gambian", "GN": "Guinean", "GQ": "Equatorial Guinean", "GR": "Greek", "GT": "Guatemalan",
    "GW": "Bissau-Guinean", "GY": "Guyanese", "HK": "Hong Kong", "HN": "Honduran", "HR": "Croatian",
    "HT": "Haitian", "HU": "Hungarian", "ID": "Indonesian", "IE": "Irish", "IL": "Israeli", "IN": "Indian",
    "IQ": "Iraqi", "IR": "Iranian", "IS": "Icelandic", "IT": "Italian", "JM": "Jamaican", "JO": "Jordanian",
    "JP": "Japanese", "KE": "Kenyan", "KG": "Kyrgyz", "KH": "Cambodian", "KI": "I-Kiribati",
    "KM": "Comorian", "KN": "Kittitian and Nevisian", "KP": "North Korean", "KR": "South Korean",
    "KW": "Kuwaiti", "KZ": "Kazakh", "LA": "Lao", "LB": "Lebanese", "LC": "Saint Lucian",
    "LI": "Liechtensteiner", "LK": "Sri Lankan", "LR": "Liberian", "LS": "Basotho", "LT": "Lithuanian",
    "LU": "Luxembourgish", "LV": "Latvian", "LY": "Libyan", "MA": "Moroccan", "MC": "Monegasque",
    "MD": "Moldovan", "ME": "Montenegrin", "MG": "Malagasy", "MH": "Marshallese", "MK": "North Macedonian",
    "ML": "Malian", "MM": "Myanmar", "MN": "Mongolian", "MO": "Macanese", "MR": "Mauritanian",
    "MT": "Maltese", "MU": "Mauritian", "MV": "Maldivian", "MW": "Malawian", "MX": "Mexican",
    "MY": "Malaysian", "MZ": "Mozambican", "NA": "Namibian", "NE": "Nigerien", "NG": "Nigerian",
    "NI": "Nicaraguan", "NL": "Dutch", "NO": "Norwegian", "NP": "Nepali", "NR": "Nauruan",
    "NZ": "New Zealand", "OM": "Omani", "PA": "Panamanian", "PE": "Peruvian", "PG": "Papua New Guinean",
    "PH": "Filipino", "PK": "Pakistani", "PL": "Polish", "PS": "Palestinian", "PT": "Portuguese",
    "PW": "Palauan", "PY": "Paraguayan", "QA": "Qatari", "RO": "Romanian", "RS": "Serbian", "RU": "Russian",
    "RW": "Rwandan", "SA": "Saudi", "SB": "Solomon Islander", "SC": "Seychellois", "SD": "Sudanese",
    "SE": "Swedish", "SG": "Singaporean", "SI": "Slovenian", "SK": "Slovak", "SL": "Sierra Leonean",
    "SM": "Sammarinese", "SN": "Senegalese", "SO": "Somali", "SR": "Surinamese", "SS": "South Sudanese",
    "ST": "São Toméan", "SV": "Salvadoran", "SY": "Syrian", "SZ": "Swazi", "TD": "Chadian",
    "TG": "Togolese", "TH": "Thai", "TJ": "Tajik", "TL": "Timorese", "TM": "Turkmen", "TN": "Tunisian",
    "TO": "Tongan", "TR": "Turkish", "TT": "Trinidadian and Tobagonian", "TV": "Tuvaluan", "TW": "Taiwanese",
    "TZ": "Tanzanian", "UA": "Ukrainian", "UG": "Ugandan", "US": "American", "UY": "Uruguayan",
    "UZ": "Uzbek", "VA": "Vatican", "VC": "Vincentian", "VE": "Venezuelan", "VN": "Vietnamese",
    "VU": "Ni-Vanuatu", "WS": "Samoan", "YE": "Yemeni", "ZA": "South African", "ZM": "Zambian",
    "ZW": "Zimbabwean",
}
KHMER_NATIONALITY = {"KH": "សញ្ជាតិខ្មែរ"}  # as Cambodian documents write it; the others are "សញ្ជាតិ" + the country
STATELESS = {"value": "stateless", "label": {"km": "គ្មានសញ្ជាតិ", "en": "Stateless"}}


def tidy(name: str) -> str:
    """CLDR's Khmer names carry zero-width spaces (line-break hints) and uneven spaces around hyphens."""
    name = name.replace("\u200b", "")
    name = re.sub(r"\s*-\s*", " - ", name)
    return re.sub(r"\s+", " ", name).strip()


def countries() -> list[dict]:
    km, en = Locale("km").territories, Locale("en").territories
    codes = sorted(c for c in en if len(c) == 2 and c.isalpha() and c not in NOT_COUNTRIES)
    return [{"value": c.lower(), "label": {"km": tidy(km[c]), "en": tidy(en[c])}} for c in codes]


def nationalities(known: list[dict]) -> list[dict]:
    by_code = {entry["value"].upper(): entry for entry in known}
    missing = sorted(set(DEMONYMS) - set(by_code))
    if missing:
        sys.exit(f"not countries: {missing}")
    entries = [{"value": code.lower(),
                "label": {"km": KHMER_NATIONALITY.get(code, "សញ្ជាតិ" + by_code[code]["label"]["km"]),
                          "en": DEMONYMS[code]}} for code in sorted(DEMONYMS)]
    return entries + [STATELESS]


def scalar(text: str) -> str:
    """`text` as a YAML flow scalar: bare where YAML reads it back as the same text (not `no`, which is
    false, nor text with commas or colons), else double-quoted."""
    try:
        if yaml.safe_load(f"[{text}]") == [text]:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)


def write(name: str, heading: str, entries: list[dict]) -> None:
    lines = [f"  - {{value: {scalar(e['value'])}, "
             f"label: {{km: {scalar(e['label']['km'])}, en: {scalar(e['label']['en'])}}}}}" for e in entries]
    text = heading + "options:\n" + "\n".join(lines) + "\n"
    if yaml.safe_load(text) != {"options": entries}:
        sys.exit(f"{name}: the YAML does not read back as written")
    (OUT / f"{name}.yaml").write_text(text, encoding="utf-8")


def main() -> None:
    found = countries()
    write("countries", "# Generated by tools/make_country_lists.py from CLDR (Babel): do not edit by hand.\n"
          "# ISO 3166-1 alpha-2 codes in lower case; names in Khmer and English.\n", found)
    write("nationalities", "# Generated by tools/make_country_lists.py: do not edit by hand. Keyed by the codes of\n"
          "# countries.yaml; Khmer 'សញ្ជាតិ' + the country's name, English adjectives written in the script.\n",
          nationalities(found))


if __name__ == "__main__":
    main()
