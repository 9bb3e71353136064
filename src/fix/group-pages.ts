// Pages of a boundary group's README (fix/group.ts). At 10,000 principals a group's README was
// 3.8 MB (72,000 lines, 1,300 member sections): GitHub does not render a Markdown file that large
// and no reviewer reads it as one page. When the whole README would pass a byte budget, the
// members' sections go to members-001.md, members-002.md, …: consecutive members in table order,
// each page within the budget (a member's section is never split, so a page always holds at least
// one member, and a single section larger than the budget is a page of its own). The README keeps
// the head: what the folder is, how to apply, what every member shares, and the member table,
// whose links name the page. A group whose README fits stays one file, as before.
//
// File names come only from the page counter: nothing read from IAM is in them.

/**
 * The most a group's README or one of its pages holds, in bytes (as written: UTF-8, escaped).
 * Below GitHub's rendering limit for Markdown with room to spare; a reviewer's one sitting.
 */
export const GROUP_PAGE_BYTES = 400 * 1024;

/** A page's file name in the group folder: members-001.md, …; from leash's counter only (1-based). */
export function groupPageFile(page: number): string {
  if (!Number.isSafeInteger(page) || page < 1) throw new Error(`group page number ${page}`);
  return `members-${String(page).padStart(3, '0')}.md`;
}

/** Members `first` (inclusive) to `end` (exclusive) of the group, in table order. */
export interface PageRange {
  readonly first: number;
  readonly end: number;
}

/**
 * Consecutive pages over members 0..sizes.length-1: each page takes members while its header
 * (`headerBytes(first, last)`, an upper bound for any page numbering) and their sections stay
 * within `budget`; a member that would pass it starts the next page, and a page always takes at
 * least one member. Greedy is enough: the sections are in table order and may not be reordered.
 */
export function pageRanges(sizes: readonly number[], headerBytes: (first: number, last: number) => number, budget: number): PageRange[] {
  const pages: PageRange[] = [];
  let first = 0;
  let bytes = 0;
  for (let i = 0; i < sizes.length; i++) {
    if (i > first && headerBytes(first, i) + bytes + sizes[i]! > budget) {
      pages.push({ first, end: i });
      first = i;
      bytes = 0;
    }
    bytes += sizes[i]!;
  }
  if (sizes.length > 0) pages.push({ first, end: sizes.length });
  return pages;
}
