"""Khmer and English text for people: digits, numbers, money and dates in the current locale
(`formatting`), and Khmer word breaks for PDFs (`khmer`)."""
