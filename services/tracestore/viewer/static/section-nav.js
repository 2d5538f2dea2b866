// @ts-check
// The header's section links, Logs and Experiments: the current section is marked (aria-current
// "page" on its list, "true" on a page inside it), and both links keep the project being looked at.

/**
 * @param {'logs' | 'experiments'} section
 * @param {{ project: string | null, current: boolean }} options current: the page is the section's list itself
 */
export function markSection(section, { project, current }) {
  const query = project ? `?${new URLSearchParams({ project })}` : '';
  for (const link of document.querySelectorAll('.section-nav a[data-section]')) {
    if (!(link instanceof HTMLAnchorElement)) continue;
    const name = link.dataset.section;
    link.href = `${name === 'experiments' ? '/ui/experiments' : '/ui/'}${query}`;
    if (name === section) link.setAttribute('aria-current', current ? 'page' : 'true');
    else link.removeAttribute('aria-current');
  }
}
