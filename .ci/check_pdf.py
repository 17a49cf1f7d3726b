"""Check the PDF against the HTML build: every chapter title present, at least as many images as figures."""
import re
import subprocess
import sys
from pathlib import Path

import yaml

root = Path(__file__).resolve().parent.parent
pdf = root / "book/_build/latex/book.pdf"
html = root / "book/_build/html"
toc = yaml.safe_load((root / "_toc.yml").read_text())
entries = [*toc.get("chapters", []), *(c for part in toc.get("parts", []) for c in part.get("chapters", []))]
pages = [toc["root"], *(c["file"] for c in entries)]

text = re.sub(r"\s+", " ", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
missing = []
for page in pages:
    title = next(line[2:].strip() for line in (root / "book" / f"{page}.md").read_text().splitlines() if line.startswith("# "))
    if re.sub(r"\s+", " ", title) not in text:
        missing.append(title)

listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
images = sum(1 for row in listing[2:] if row.split()[2] == "image")  # not the soft masks of transparent PNGs
figures = sum(len(re.findall(r"<figure\b", (html / f"{page}.html").read_text())) for page in pages)
print(f"pdf: {pdf.stat().st_size / 1e6:.1f} MB, {images} images; html: {figures} figures; chapter titles missing: {missing or 'none'}")
if missing or images < figures:
    sys.exit("PDF check failed")
