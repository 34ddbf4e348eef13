// The page-wide notice (Base.astro `#site-notice`): a polite live region for messages
// that belong to no single form, such as "too many requests, try again in 30 s".

export function showNotice(message: string, tone: 'info' | 'error' = 'error'): void {
  const box = document.getElementById('site-notice');
  const text = box?.querySelector<HTMLElement>('[data-notice-text]');
  if (!box || !text) return;
  box.dataset.tone = tone;
  text.textContent = message;
  box.hidden = false;
}

export function hideNotice(): void {
  const box = document.getElementById('site-notice');
  if (box) box.hidden = true;
}

document.getElementById('site-notice')?.querySelector('[data-notice-close]')?.addEventListener('click', hideNotice);
