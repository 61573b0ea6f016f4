"""Word list definitions (numbering.xml): outline headings, decimal lists, bullets."""

from docx.document import Document as DocumentObject
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from .wordxml import el


def _lvl(ilvl: int, fmt: str, text: str, left: int, hanging: int, extra: str = "") -> str:
    font = '<w:rPr><w:rFonts w:ascii="Symbol" w:hAnsi="Symbol" w:hint="default"/></w:rPr>'
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>{extra}'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{left}" w:hanging="{hanging}"/></w:pPr>'
        f"{font if fmt == 'bullet' else ''}</w:lvl>"
    )


class Numbering:
    """Adds abstract list definitions and list instances to the document's numbering part."""

    def __init__(self, doc: DocumentObject) -> None:
        self.doc = doc
        self.root = doc.part.numbering_part.element
        self.next_abstract = 100
        self.next_num = 100

    def _add_abstract(self, levels: str, kind: str) -> int:
        ident = self.next_abstract
        self.next_abstract += 1
        node = parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{ident}">'
            f'<w:multiLevelType w:val="{kind}"/>{levels}</w:abstractNum>'
        )
        nums = self.root.findall(qn("w:num"))
        if nums:
            nums[0].addprevious(node)
        else:
            self.root.append(node)
        return ident

    def instance(self, abstract: int, restart: bool = False) -> int:
        """A new w:num for an abstract definition; restart=True starts it again at 1."""
        ident = self.next_num
        self.next_num += 1
        override = (
            '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>'
            if restart
            else ""
        )
        self.root.append(
            parse_xml(
                f'<w:num {nsdecls("w")} w:numId="{ident}">'
                f'<w:abstractNumId w:val="{abstract}"/>{override}</w:num>'
            )
        )
        return ident

    def outline(self, number_h2: bool) -> int:
        """Multilevel "1." / "1.1" / "1.1.1" list linked to Heading 1 (and Heading 2)."""
        h2 = '<w:pStyle w:val="Heading2"/>' if number_h2 else ""
        levels = (
            _lvl(0, "decimal", "%1.", 567, 567, '<w:pStyle w:val="Heading1"/>')
            + _lvl(1, "decimal", "%1.%2", 567, 567, h2)
            + _lvl(2, "decimal", "%1.%2.%3", 851, 851)
        )
        num = self.instance(self._add_abstract(levels, "multilevel"))
        self._link_style("Heading 1", num, 0)
        if number_h2:
            self._link_style("Heading 2", num, 1)
        return num

    def _link_style(self, style_name: str, num: int, ilvl: int) -> None:
        ppr = self.doc.styles[style_name].element.get_or_add_pPr()
        num_pr = el("w:numPr")
        if ilvl:
            num_pr.append(el("w:ilvl", val=str(ilvl)))
        num_pr.append(el("w:numId", val=str(num)))
        ppr.insert(0, num_pr)

    def decimal(self, left: int = 567) -> int:
        """Abstract definition of a "1." list (level 0) with "a)" below it."""
        levels = _lvl(0, "decimal", "%1.", left, 567) + _lvl(
            1, "lowerLetter", "%2)", left + 567, 397
        )
        return self._add_abstract(levels, "hybridMultilevel")

    def bullet(self, left: int = 1134, hanging: int = 284) -> int:
        """A Word bullet list (Symbol-font bullet, as Word writes it)."""
        levels = _lvl(0, "bullet", "\uf0b7", left, hanging) + _lvl(
            1, "bullet", "o", left + 567, hanging
        )
        return self.instance(self._add_abstract(levels, "hybridMultilevel"))
