/**
 * A live game in real browsers: the demo teacher hosts the seeded quiz from the host screen
 * (keyboard-driven controls), three players join from three browser contexts (one a 360 px
 * phone), answer, one reloads mid-question and keeps its seat, score and answer, and the
 * final standings on the host screen match every player's own final screen and the API.
 */
import type { Page } from 'playwright-core';
import { describe, test } from 'vitest';
import { DEMO_QUIZ_TITLE } from '../../scripts/local/demo-quiz.ts';
import { account, apiCall, apiLogin, login, newPage, pageErrors, screenshot } from './fixtures.ts';

const POLL = { timeout: 15_000, interval: 200 };

async function join(page: Page, pin: string, nickname: string) {
  await page.goto(`/en/play?pin=${pin}`);
  await page.locator('#join-nickname').fill(nickname);
  await page.locator('#join-form button[type="submit"]').click();
  await page.locator('#game-status', { hasText: 'You are in!' }).waitFor();
}

const option = (page: Page, text: string) => page.locator('#game-options button', { hasText: text });
const score = async (page: Page) => Number(/· (\d+) points/.exec((await page.locator('#game-me').textContent()) ?? '')?.[1] ?? NaN);

describe('browser journeys — live game', () => {
  test('a teacher hosts, three players join (one on a phone), answer, one reloads mid-question and keeps its score; final standings match', async ({
    expect,
  }) => {
    const teacher = account('teacher');
    const host = await newPage();
    const players = [await newPage(), await newPage({ viewport: { width: 360, height: 740 } }), await newPage()];
    const [aru, bek, dana] = players as [Page, Page, Page];
    const pages = { host, aru, bek, dana };
    try {
      await login(host, teacher.email, teacher.password, { next: '/en/host' });
      await host.goto('/en/host');
      const item = host.locator('#host-quiz-list > li', { hasText: DEMO_QUIZ_TITLE.en });
      await item.waitFor();
      await host.locator('#host-seconds').fill('60');
      await item.locator('button').click();
      await host.waitForURL(/\/en\/host\/[0-9a-f-]{36}$/);
      const gameId = host.url().split('/').pop()!;
      // The host screen loads its game after the navigation: wait for the PIN to be shown.
      await expect.poll(() => host.locator('#host-pin').textContent(), POLL).toMatch(/^[0-9]{6}$/);
      const pin = (await host.locator('#host-pin').textContent())!;
      expect(pin).toMatch(/^[0-9]{6}$/);
      await host.locator('#host-qr svg path').waitFor({ state: 'attached' });
      expect(await host.locator('#host-link').textContent()).toContain('/en/play');

      await join(aru, pin, 'Aru');
      await join(bek, pin, 'Bek');
      await join(dana, pin, 'Dana');
      await expect.poll(() => host.locator('#host-players').textContent(), POLL).toBe('3 players');
      // On the phone nothing scrolls sideways.
      expect(await bek.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);

      // The host drives the game from the keyboard: the next control has the focus.
      await host.locator('#host-start').focus();
      await host.keyboard.press('Enter');
      for (const p of players) await p.locator('#game-qtext', { hasText: 'The capital of Kazakhstan?' }).waitFor();
      await host.locator('#host-qtext', { hasText: 'The capital of Kazakhstan?' }).waitFor();

      // Question 1: Aru and Dana right, Bek wrong. Everyone answered: the results show at once.
      await option(aru, 'Astana').click();
      await option(bek, 'Almaty').click();
      await option(dana, 'Astana').click();
      await aru.locator('#game-feedback', { hasText: 'Right!' }).waitFor();
      await bek.locator('#game-feedback', { hasText: 'Not this time.' }).waitFor();
      await dana.locator('#game-feedback', { hasText: 'Right!' }).waitFor();
      await host.locator('#host-top-box').waitFor();
      const danaAfterQ1 = await score(dana);
      expect(danaAfterQ1).toBeGreaterThanOrEqual(500);
      expect(await score(bek)).toBe(0);

      // Question 2: Dana answers, then reloads mid-question: same seat, same score, answer kept.
      await expect.poll(() => host.evaluate('document.activeElement && document.activeElement.id'), POLL).toBe('host-next');
      await host.keyboard.press('Enter');
      for (const p of players) await p.locator('#game-qtext', { hasText: 'Which sea' }).waitFor();
      await option(dana, 'Caspian').click();
      await dana.locator('#game-status', { hasText: 'Answer sent' }).waitFor();
      await dana.reload();
      await dana.locator('#game-qtext', { hasText: 'Which sea' }).waitFor();
      await dana.locator('#game-status', { hasText: 'Answer sent' }).waitFor();
      expect(await score(dana)).toBe(danaAfterQ1);
      expect(await option(dana, 'Caspian').getAttribute('aria-pressed')).toBe('true');
      expect(await option(dana, 'Black').isDisabled()).toBe(true);
      await option(aru, 'Black').click();
      await option(bek, 'Caspian').click();
      for (const p of players)
        await p
          .locator('#game-feedback')
          .filter({ hasText: /Right!|Not this time/ })
          .waitFor();
      await host.locator('#host-progress', { hasText: 'Answered: 3 of 3' }).waitFor();

      // End: confirmed on the host; everyone sees their final place; the host sees the results.
      host.once('dialog', (d) => void d.accept());
      await host.locator('#host-end').click();
      await host.locator('#host-results').waitFor();
      const finals: Record<string, { place: number; score: number }> = {};
      for (const [name, p] of [
        ['Aru', aru],
        ['Bek', bek],
        ['Dana', dana],
      ] as const) {
        const text = await p.locator('#game-feedback', { hasText: 'You finished' }).textContent();
        const m = /place (\d+) of 3 with (\d+) points/.exec(text ?? '');
        expect(m, `${name}: ${text}`).toBeTruthy();
        finals[name] = { place: Number(m![1]), score: Number(m![2]) };
      }
      const rows = await host
        .locator('#host-standings tr')
        .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      expect(rows).toHaveLength(3);
      for (const [place, nickname, points] of rows)
        expect(finals[nickname!], nickname!).toEqual({ place: Number(place), score: Number(points) });
      expect(finals.Dana!.score).toBeGreaterThan(danaAfterQ1);
      expect(finals.Bek!.place).toBe(3);
      expect(await host.locator('#host-stats tr').count()).toBe(4);
      expect(await host.locator('#host-stats tr').first().textContent()).toContain('66.7 %');

      const token = await apiLogin(teacher.email, teacher.password);
      const stored = await apiCall('GET', `/api/games/${gameId}`, { token });
      expect(stored.body.standings.map((s: any) => [s.nickname, s.place, s.score]).sort()).toEqual(
        Object.entries(finals)
          .map(([n, f]) => [n, f.place, f.score])
          .sort(),
      );
      for (const [name, p] of Object.entries(pages)) expect(pageErrors(p), name).toEqual([]);
    } finally {
      for (const [name, p] of Object.entries(pages)) {
        await screenshot(p, `games-${name}`).catch(() => {});
        await p
          .context()
          .close()
          .catch(() => {});
      }
    }
  });
});
