// Language tabs for the per-language fieldsets of StudioLangFields.astro (WAI-ARIA tabs:
// arrow keys, Home/End, automatic activation). A tab whose panel holds an invalid field is
// marked, and when errors appear only in hidden panels the first such panel is shown, so
// forms.ts can move focus to the field from the error summary.
import { h } from '../lib/dom';
import type { Lang } from '../i18n/langs';

export interface LangTabs {
  select(lang: string, focus?: boolean): void;
  /** Show the panel that holds this element. */
  reveal(node: Element): void;
}

export function enhanceLangTabs(root: HTMLElement, initial: Lang): LangTabs {
  const panels = Array.from(root.querySelectorAll<HTMLFieldSetElement>(':scope > [data-lang-panel]'));
  const tablist = h('div', { role: 'tablist', class: 'studio-tabs', 'aria-label': root.dataset.tabsLabel ?? '' });
  // The tabpanel role goes on a wrapper: a <fieldset> may not take it (ARIA in HTML allows
  // group, radiogroup, none), and the fieldset keeps grouping the fields under its legend.
  const boxes = panels.map((panel) => {
    const box = h('div', { role: 'tabpanel', id: `${panel.id}-tabpanel` });
    panel.replaceWith(box);
    box.append(panel);
    return box;
  });
  const tabs = panels.map((panel, i) => {
    const legend = panel.querySelector('legend');
    legend?.classList.add('visually-hidden');
    const tab = h(
      'button',
      {
        type: 'button',
        role: 'tab',
        class: 'studio-tab',
        id: `${panel.id}-tab`,
        'aria-controls': boxes[i]!.id,
        lang: panel.dataset.langPanel,
      },
      legend?.textContent ?? panel.dataset.langPanel ?? '',
      h(
        'span',
        { class: 'studio-tab__mark', hidden: true },
        h('span', { 'aria-hidden': 'true' }, '!'),
        h('span', { class: 'visually-hidden' }, ` ${root.dataset.tabErrors ?? ''}`),
      ),
    );
    boxes[i]!.setAttribute('aria-labelledby', tab.id);
    tab.addEventListener('click', () => select(panel.dataset.langPanel ?? '', false));
    tablist.append(tab);
    return tab;
  });

  function select(lang: string, focus = false): void {
    panels.forEach((panel, i) => {
      const on = panel.dataset.langPanel === lang;
      // Both: scripts find the shown fieldset by `[data-lang-panel]:not([hidden])`.
      panel.hidden = !on;
      boxes[i]!.hidden = !on;
      tabs[i]!.setAttribute('aria-selected', String(on));
      tabs[i]!.tabIndex = on ? 0 : -1;
      if (on && focus) tabs[i]!.focus();
    });
  }

  tablist.addEventListener('keydown', (event) => {
    const index = tabs.indexOf(document.activeElement as HTMLButtonElement);
    if (index < 0) return;
    const last = tabs.length - 1;
    const next = { ArrowRight: index === last ? 0 : index + 1, ArrowLeft: index === 0 ? last : index - 1, Home: 0, End: last }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    select(panels[next]!.dataset.langPanel ?? '', true);
  });

  function reveal(node: Element): void {
    const panel = panels.find((p) => p.contains(node));
    if (panel?.hidden) select(panel.dataset.langPanel ?? '');
  }

  function markErrors(): void {
    let firstInvalid: HTMLFieldSetElement | undefined;
    let shownHasError = false;
    panels.forEach((panel, i) => {
      const invalid = panel.querySelector('[aria-invalid="true"]') !== null;
      tabs[i]!.toggleAttribute('data-invalid', invalid);
      tabs[i]!.querySelector<HTMLElement>('.studio-tab__mark')!.hidden = !invalid;
      if (invalid && !firstInvalid) firstInvalid = panel;
      if (invalid && !panel.hidden) shownHasError = true;
    });
    if (firstInvalid && !shownHasError) select(firstInvalid.dataset.langPanel ?? '');
  }
  // Errors are set by forms.ts (aria-invalid); react to them wherever they come from.
  new MutationObserver(markErrors).observe(root, { subtree: true, attributes: true, attributeFilter: ['aria-invalid'] });

  // Links in the form's error summary focus their field: show its panel first.
  root.closest('form')?.addEventListener(
    'click',
    (event) => {
      const link = (event.target as Element | null)?.closest?.('[data-form-error] a[href^="#"]');
      const target = link ? document.getElementById(decodeURIComponent(link.getAttribute('href')!.slice(1))) : null;
      if (target) reveal(target);
    },
    true,
  );

  root.prepend(tablist);
  root.toggleAttribute('data-tabs-ready', true);
  select(panels.some((p) => p.dataset.langPanel === initial) ? initial : (panels[0]?.dataset.langPanel ?? ''));
  return { select, reveal };
}
