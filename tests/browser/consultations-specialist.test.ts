/**
 * Consultations from the specialist's and the admin's side, in a real browser: an admin lists
 * a new specialist from the admin page and the directory shows its next free time; the
 * specialist takes a day off in the exceptions editor (the visitor's slot picker loses that
 * date) and removes it again; after a session the specialist marks it held with a note, the
 * parent reads the note and leaves a review; the specialist edits every session type (adds,
 * changes, removes) and cancels a paid session from the schedule, and the parent is refunded.
 * Each test has its own new teacher, so nothing here touches the demo teacher the other
 * consultation journey uses.
 */
import { describe, test } from 'vitest';
import { account, apiCall, apiLogin, axeViolations, login, platform, sql, uniqueEmail, uniqueWord, withPage } from './fixtures.ts';

const POLL = { timeout: 30_000, interval: 250 };
const ZONE = 'Asia/Almaty';

/** A newly registered, verified teacher with a specialist profile (free 30 min, paid 60 min) and hours every day, 09:00–18:00. */
async function newSpecialist(opts: { listed: boolean }) {
  const word = uniqueWord();
  const email = uniqueEmail('specialist');
  const password = `Sabaq-${word}-specialist`;
  const name = `Aigerim ${word}`;
  const reg = await apiCall('POST', '/api/auth/register', { body: { email, password, name, language: 'en', role: 'teacher' } });
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${JSON.stringify(reg.body)}`);
  const token = await apiLogin(email, password);
  const id: string = (await apiCall('GET', '/api/me', { token })).body.user.id;
  const admin = await apiLogin(account('admin').email, account('admin').password);
  const t = await apiCall('POST', `/api/admin/teachers/${id}/verify`, { token: admin, body: {} });
  if (t.status !== 200) throw new Error(`verify teacher: ${t.status} ${JSON.stringify(t.body)}`);
  const profile = await apiCall('PUT', '/api/specialist/profile', {
    token,
    body: {
      bio: { en: `Speech therapist ${word}: sounds, reading, confidence.` },
      languages: ['en', 'ru'],
      specialties: ['speech_therapist'],
      timeZone: ZONE,
      bufferMinutes: 10,
      sessionTypes: [
        { durationMinutes: 30, price: { amount: 0, currency: 'KZT' } },
        { durationMinutes: 60, price: { amount: 500_000, currency: 'KZT' } },
      ],
    },
  });
  if (profile.status !== 200) throw new Error(`profile: ${profile.status} ${JSON.stringify(profile.body)}`);
  const rules = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, startMinute: 9 * 60, endMinute: 18 * 60 }));
  const hours = await apiCall('PUT', '/api/specialist/availability', { token, body: { rules, exceptions: [] } });
  if (hours.status !== 200) throw new Error(`hours: ${hours.status} ${JSON.stringify(hours.body)}`);
  if (opts.listed) {
    const v = await apiCall('POST', `/api/admin/specialists/${id}/verify`, { token: admin, body: { verified: true } });
    if (v.status !== 200) throw new Error(`list: ${v.status} ${JSON.stringify(v.body)}`);
  }
  const types = profile.body.sessionTypes as { id: string; price: { amount: number } }[];
  return { id, email, password, name, token, freeType: types.find((x) => x.price.amount === 0)!.id };
}

/** The local date in Almaty `days` from now. */
const almatyDate = (days: number) => new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(new Date(Date.now() + days * 86_400_000));

describe('browser journeys — consultations, the specialist and the admin', () => {
  test('an admin lists a new specialist; the specialist takes a day off (its slots disappear) and gives it back', async ({ expect }) => {
    const s = await newSpecialist({ listed: false });
    const admin = account('admin');

    await withPage('consultations-specialist-01-admin-lists', async (page) => {
      await login(page, admin.email, admin.password, { next: '/en/admin' });
      await page.goto('/en/admin');
      const row = page.locator(`[data-specialist-id="${s.id}"]`);
      await row.waitFor();
      expect(await row.textContent()).toContain(s.email);
      await row.locator('button[data-action="list"]').click();
      await expect.poll(() => page.locator('#specialists-announce').textContent(), POLL).toBe(`${s.name} is listed in the directory.`);
      expect(await row.count()).toBe(0);
      await page.locator('#specialists-status').selectOption('listed');
      await page.locator(`[data-specialist-id="${s.id}"]`).waitFor();

      // Listed: in the directory, with its next free time, also when asking for a free time within 3 days.
      await page.goto('/en/consultations');
      await page.locator('#consult-specialty').selectOption('speech_therapist');
      await page.locator('#consult-free-within').selectOption('3');
      await page.locator('#consult-sort').selectOption('next_free');
      const card = page.locator(`[data-specialist="${s.id}"]`);
      // The next free time is computed just after the listing: ask again until the card has it.
      await expect
        .poll(async () => {
          await page.locator('#consult-filters button[type="submit"]').click();
          return card
            .locator('[data-next-free]')
            .getAttribute('data-next-free', { timeout: 2_000 })
            .catch(() => null);
        }, POLL)
        .toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(await card.textContent()).toContain('Next free time:');
      // Soonest first: no card before this one has a later next free time, and none without one.
      const times = await page.locator('[data-next-free]').evaluateAll((els) => els.map((e) => e.getAttribute('data-next-free') ?? ''));
      const mine = times.indexOf((await card.locator('[data-next-free]').getAttribute('data-next-free')) ?? '-');
      expect(mine).toBeGreaterThanOrEqual(0);
      expect(times.slice(0, mine).every((t) => t !== '' && t <= times[mine]!)).toBe(true);
    });

    const dayOff = almatyDate(3);
    const slotDates = async () => {
      const res = await apiCall('GET', `/api/specialists/${s.id}/slots?sessionTypeId=${s.freeType}&from=${dayOff}&to=${dayOff}`);
      return (res.body.slots as { startsAt: string }[]).length;
    };
    expect(await slotDates()).toBeGreaterThan(0);

    await withPage(
      'consultations-specialist-02-day-off',
      async (page) => {
        await login(page, s.email, s.password, { next: '/en/consultations/schedule' });
        await page.goto('/en/consultations/schedule');
        await page.locator('#consult-exceptions-form').waitFor();
        // The profile editor shows the saved bio (saving it again keeps it).
        await expect.poll(() => page.locator('#consult-bio-en').inputValue(), POLL).toContain('Speech therapist');
        await expect.poll(() => page.locator('#consult-ex-none').isVisible(), POLL).toBe(true);

        // Extra hours that end before they start: a clear message, nothing saved.
        await page.locator('#consult-ex-date').fill(dayOff);
        await page.locator('#consult-ex-kind').selectOption('extra');
        expect(await page.locator('#consult-ex-whole').isDisabled()).toBe(true);
        await page.locator('#consult-ex-start').fill('12:00');
        await page.locator('#consult-ex-end').fill('10:00');
        await page.locator('#consult-exceptions-form button[type="submit"]').click();
        await expect.poll(() => page.locator('#consult-ex-status').textContent(), POLL).toBe('Give both times, the start before the end.');
        expect(await page.locator('#consult-ex-list li').count()).toBe(0);

        // The whole day off, with the keyboard: the kind back to "Time off", "The whole day" ticked.
        await page.locator('#consult-ex-kind').selectOption('off');
        await page.locator('#consult-ex-whole').focus();
        await page.keyboard.press('Space');
        expect(await page.locator('#consult-ex-whole').isChecked()).toBe(true);
        await page.locator('#consult-exceptions-form button[type="submit"]').click();
        await expect.poll(() => page.locator('#consult-ex-status').textContent(), POLL).toBe('Exceptions saved.');
        const item = page.locator(`#consult-ex-list li[data-exception="${dayOff}"]`);
        await item.waitFor();
        expect(await item.textContent()).toContain('day off');
        expect(await page.locator('#consult-ex-none').isVisible()).toBe(false);
        // The weekly hours are untouched by the exceptions editor.
        expect(await page.locator('#consult-rules .consult-rule').count()).toBe(7);
        const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        expect(overflow).toBeLessThanOrEqual(0);
      },
      { viewport: { width: 360, height: 740 }, timezoneId: ZONE },
    );
    expect(await slotDates()).toBe(0);

    // A visitor's slot picker (in Almaty too) shows the days around it, not the day off.
    await withPage(
      'consultations-specialist-03-picker-without-day-off',
      async (page) => {
        await page.goto(`/en/consultations/specialist?id=${s.id}`);
        await page.locator('button[data-starts]').first().waitFor();
        const starts = await page.locator('button[data-starts]').evaluateAll((els) => els.map((e) => e.getAttribute('data-starts') ?? ''));
        const dates = new Set(starts.map((x) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Almaty' }).format(new Date(x))));
        expect(dates.has(dayOff)).toBe(false);
        expect(dates.has(almatyDate(2)) || dates.has(almatyDate(4))).toBe(true);
      },
      { timezoneId: ZONE },
    );

    await withPage('consultations-specialist-04-day-back', async (page) => {
      await login(page, s.email, s.password, { next: '/en/consultations/schedule' });
      await page.goto('/en/consultations/schedule');
      const item = page.locator(`#consult-ex-list li[data-exception="${dayOff}"]`);
      await item.waitFor();
      await item.getByRole('button', { name: /^Remove/ }).click();
      await expect.poll(() => page.locator('#consult-ex-list li').count(), POLL).toBe(0);
      expect(await page.locator('#consult-ex-none').isVisible()).toBe(true);
    });
    expect(await slotDates()).toBeGreaterThan(0);
  });

  test('after a session the specialist marks it held with a note; the parent reads the note and leaves one review', async ({ expect }) => {
    const s = await newSpecialist({ listed: true });
    const parent = account('parent');
    const parentToken = await apiLogin(parent.email, parent.password);
    const slots = await apiCall(
      'GET',
      `/api/specialists/${s.id}/slots?sessionTypeId=${s.freeType}&from=${almatyDate(2)}&to=${almatyDate(4)}`,
    );
    const booked = await apiCall('POST', '/api/bookings', {
      token: parentToken,
      body: { specialistId: s.id, sessionTypeId: s.freeType, startsAt: slots.body.slots[0].startsAt, lang: 'en' },
    });
    if (booked.status !== 201) throw new Error(`book: ${booked.status} ${JSON.stringify(booked.body)}`);
    const bookingId: string = booked.body.booking.id;
    // The session happened yesterday (no API moves time).
    await sql(
      `update bookings set starts_at = now() - interval '26 hours', ends_at = now() - interval '25.5 hours',
         occupied_until = now() - interval '25.3 hours' where id = $1`,
      [bookingId],
    );
    const note = `Practise the "r" sound ten minutes a day ${uniqueWord()}`;

    await withPage(
      'consultations-specialist-05-mark-held',
      async (page) => {
        await login(page, s.email, s.password, { next: '/en/consultations/schedule' });
        await page.goto('/en/consultations/schedule');
        const item = page.locator(`#consult-past-list li[data-booking="${bookingId}"]`);
        await item.waitFor();
        expect(await item.getAttribute('data-status')).toBe('confirmed');
        await item.getByLabel('Note for the client (only they see it)').fill(note);
        await item.getByRole('button', { name: 'Mark held' }).click();
        const marked = page.locator(`#consult-past-list li[data-booking="${bookingId}"]`);
        await expect.poll(() => marked.getAttribute('data-status'), POLL).toBe('completed');
        expect(await page.locator('#consult-past-status').textContent()).toBe('Saved: Held.');
        expect(await marked.locator('textarea').inputValue()).toBe(note);
      },
      { timezoneId: ZONE },
    );

    await withPage(
      'consultations-specialist-06-parent-reviews',
      async (page) => {
        await login(page, parent.email, parent.password, { next: '/en/consultations/bookings' });
        await page.goto('/en/consultations/bookings');
        await page.locator('#consult-past').click();
        const item = page.locator(`[data-booking="${bookingId}"]`);
        await item.waitFor();
        expect(await item.locator('[data-note]').textContent()).toBe(`Specialist's note: ${note}`);
        await item.getByLabel('Rating').selectOption('4');
        await item.getByLabel('Review (optional)').fill('Patient and clear, my son liked it.');
        await item.getByRole('button', { name: 'Send review' }).click();
        await expect
          .poll(() => page.locator(`[data-booking="${bookingId}"] [data-review]`).textContent(), POLL)
          .toBe('Your review: 4 of 5');
        expect(await page.locator('#consult-return').textContent()).toBe('Thank you for your review.');
        expect(await page.locator(`[data-booking="${bookingId}"] form[data-review-form]`).count()).toBe(0);
        const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        expect(overflow).toBeLessThanOrEqual(0);
      },
      { viewport: { width: 360, height: 740 }, timezoneId: ZONE },
    );

    // The note is the parent's only; the review counts once in the specialist's rating.
    const stranger = await apiLogin(account('learner').email, account('learner').password);
    expect((await apiCall('GET', `/api/bookings/${bookingId}`, { token: stranger })).status).toBe(404);
    const again = await apiCall('POST', `/api/bookings/${bookingId}/review`, { token: parentToken, body: { rating: 5 } });
    expect(again.status).toBe(409);
    const profile = await apiCall('GET', `/api/specialists/${s.id}`);
    expect(profile.body.rating).toEqual({ average: 4, count: 1 });
  });
  test('the specialist edits every session type and cancels a paid session from the schedule, with the keyboard at 360 px; the parent is refunded', async ({
    expect,
  }) => {
    const s = await newSpecialist({ listed: true });
    const parent = account('parent');
    const parentToken = await apiLogin(parent.email, parent.password);
    // A paid hour three days ahead, paid with the test card on the mock checkout.
    const paidType = (await apiCall('GET', `/api/specialists/${s.id}`)).body.sessionTypes.find(
      (x: { price: { amount: number } }) => x.price.amount > 0,
    ).id as string;
    const slots = await apiCall(
      'GET',
      `/api/specialists/${s.id}/slots?sessionTypeId=${paidType}&from=${almatyDate(3)}&to=${almatyDate(4)}`,
    );
    const booked = await apiCall('POST', '/api/bookings', {
      token: parentToken,
      body: { specialistId: s.id, sessionTypeId: paidType, startsAt: slots.body.slots[0].startsAt, lang: 'en' },
    });
    if (booked.status !== 201) throw new Error(`book: ${booked.status} ${JSON.stringify(booked.body)}`);
    const bookingId: string = booked.body.booking.id;
    const paid = await fetch(new URL(booked.body.payment.checkoutUrl, platform().url), {
      method: 'POST',
      body: new URLSearchParams({ card: '4242 4242 4242 4242' }),
      redirect: 'manual',
    });
    expect(paid.status).toBe(303);
    const bookingOf = async () => (await apiCall('GET', `/api/bookings/${bookingId}`, { token: parentToken })).body;
    await expect.poll(async () => (await bookingOf()).status, POLL).toBe('confirmed');

    await withPage(
      'consultations-specialist-07-types-and-cancel',
      async (page) => {
        await login(page, s.email, s.password, { next: '/en/consultations/schedule' });
        await page.goto('/en/consultations/schedule');
        const rows = page.locator('#consult-types-list > li');
        await expect.poll(() => rows.count(), POLL).toBe(2);
        const row = (i: number) => ({
          duration: rows.nth(i).getByLabel('Session length, minutes'),
          price: rows.nth(i).getByLabel('Price (0 = free)'),
          currency: rows.nth(i).getByLabel('Currency'),
        });
        expect(await rows.nth(0).locator('legend').textContent()).toBe('Session type 1');
        expect([await row(0).duration.inputValue(), await row(0).price.inputValue(), await row(0).currency.inputValue()]).toEqual([
          '30',
          '0',
          'KZT',
        ]);
        expect([await row(1).duration.inputValue(), await row(1).price.inputValue()]).toEqual(['60', '5000']);

        // Change both types, then add a third with the keyboard: the new row gets the focus.
        await row(0).duration.fill('45');
        await row(1).price.fill('6000');
        await page.locator('#consult-add-type').focus();
        await page.keyboard.press('Enter');
        await expect.poll(() => rows.count(), POLL).toBe(3);
        expect(await page.evaluate('document.activeElement?.id')).toBe(await row(2).duration.getAttribute('id'));
        expect(await rows.nth(2).locator('legend').textContent()).toBe('Session type 3');
        // A new row starts at 60 min for 5,000 ₸; made equal to type 2 it is refused before anything is sent.
        await row(2).price.fill('6000');
        await page.locator('#consult-profile-form button[type="submit"]').click();
        await expect.poll(() => page.locator('#consult-profile-status').textContent(), POLL).toBe('Session types 2 and 3 are the same.');
        expect(await row(2).duration.getAttribute('aria-invalid')).toBe('true');
        await row(2).duration.fill('90');
        await row(2).price.fill('2000');
        await row(2).currency.selectOption('RUB');
        // A fourth row, removed again with the keyboard: the focus goes to the row before it.
        await page.locator('#consult-add-type').click();
        await expect.poll(() => rows.count(), POLL).toBe(4);
        await rows
          .nth(3)
          .getByRole('button', { name: /^Remove\W+Session type 4$/ })
          .focus();
        await page.keyboard.press('Enter');
        await expect.poll(() => rows.count(), POLL).toBe(3);
        expect(await page.locator('#consult-types-status').textContent()).toBe('Session type removed. Save the profile to apply it.');
        expect(await page.evaluate('document.activeElement?.id')).toBe(await row(2).duration.getAttribute('id'));
        await page.locator('#consult-profile-form button[type="submit"]').click();
        await expect.poll(() => page.locator('#consult-profile-status').textContent(), POLL).toContain('Saved.');
        const offered = async () =>
          (
            (await apiCall('GET', `/api/specialist/profile`, { token: s.token })).body.sessionTypes as {
              durationMinutes: number;
              price: { amount: number; currency: string };
            }[]
          ).map((x) => `${x.durationMinutes} ${x.price.amount} ${x.price.currency}`);
        expect(await offered()).toEqual(['45 0 KZT', '60 600000 KZT', '90 200000 RUB']);

        // After a reload the editor shows the three; removing the first and saving leaves two.
        await page.reload();
        await expect.poll(() => rows.count(), POLL).toBe(3);
        expect(await row(2).currency.inputValue()).toBe('RUB');
        await rows
          .nth(0)
          .getByRole('button', { name: /^Remove\W+Session type 1$/ })
          .click();
        expect(await rows.nth(0).locator('legend').textContent()).toBe('Session type 1');
        await page.locator('#consult-profile-form button[type="submit"]').click();
        await expect.poll(() => page.locator('#consult-profile-status').textContent(), POLL).toContain('Saved.');
        expect(await offered()).toEqual(['60 600000 KZT', '90 200000 RUB']);

        // Cancel the paid session with the keyboard: the question opens with "Keep it" focused,
        // Escape closes it, then "Yes, cancel".
        const item = page.locator(`#consult-schedule li[data-booking="${bookingId}"]`);
        await item.waitFor();
        expect(await item.getAttribute('data-status')).toBe('confirmed');
        const cancel = item.getByRole('button', { name: /^Cancel session/ });
        await cancel.focus();
        await page.keyboard.press('Enter');
        const ask = item.getByRole('group', { name: 'Cancel this session? The client is notified and refunded in full.' });
        await ask.waitFor();
        expect(await cancel.getAttribute('aria-expanded')).toBe('true');
        expect(await page.evaluate('document.activeElement?.textContent')).toBe('Keep it');
        await page.keyboard.press('Escape');
        expect(await ask.count()).toBe(0);
        expect(await page.evaluate('document.activeElement?.hasAttribute("data-cancel")')).toBe(true);
        expect(await item.getAttribute('data-status')).toBe('confirmed');
        await page.keyboard.press('Enter');
        await ask.waitFor();
        await page.keyboard.press('Shift+Tab');
        expect(await page.evaluate('document.activeElement?.textContent')).toBe('Yes, cancel');
        await page.keyboard.press('Enter');
        const done = page.locator(`#consult-schedule li[data-booking="${bookingId}"]`);
        await expect.poll(() => done.getAttribute('data-status'), POLL).toBe('cancelled');
        expect(await page.locator('#consult-schedule-status').textContent()).toBe(
          'Session cancelled; the client is notified and refunded in full.',
        );
        expect(await done.getByRole('button', { name: /^Cancel session/ }).count()).toBe(0);
        expect(await done.textContent()).toContain('Cancelled');

        const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        expect(overflow).toBeLessThanOrEqual(0);
        expect(await axeViolations(page)).toEqual([]);
      },
      { viewport: { width: 360, height: 740 }, timezoneId: ZONE },
    );

    // The specialist's cancellation is always refunded in full (the API's rule).
    await expect.poll(async () => (await bookingOf()).refund, POLL).toBe('done');
    expect(await bookingOf()).toMatchObject({ status: 'cancelled', cancelledBy: 'specialist' });
  });
});
