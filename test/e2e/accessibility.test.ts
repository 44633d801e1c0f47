import { beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../db/connection.js'
import { swedishDate } from '../../server/dates.js'
import {
  axeViolations,
  choose,
  expectAccessible,
  follow,
  itIsAccessible,
  linkPath,
  logIn,
  phone,
  reflowProblems,
  texts,
  useBrowser,
} from './browser.js'

const e2e = useBrowser()

/** Every page type, found by following the links a user would, starting at the plan list. */
const pages = new Map<string, string>()

beforeAll(async () => {
  const page = await e2e.newPage()
  const from = async (path: string, links: Record<string, string>) => {
    expect(await page.goto(e2e.server.baseUrl + path).then((r) => r?.status())).toBe(200)
    for (const [name, link] of Object.entries(links)) pages.set(name, await linkPath(page, link))
  }
  pages.set('start page', '/')
  pages.set('plans index', '/planer')
  pages.set('external inspections', '/externa-granskningar')
  // A later page of the log, with its link back to the latest rows.
  pages.set('audit log, older rows', '/logg?fore=2147483647')
  await from('/planer', { 'new-plan form': 'Ny internkontrollplan', 'plan page': 'Internkontrollplan 2020' })
  await from(pages.get('plan page') ?? '', {
    'plan edit form': 'Redigera planen',
    'plan delete confirmation': 'Ta bort planen',
    'new-risk form': 'Ny risk',
    'risk page': 'Risk: Röjande av sekretess',
    'reviews list': '8 granskningar med diarienummer och beslut',
    'measure list': '12 förbättringsåtgärder att söka, filtrera och sortera',
  })
  await from(pages.get('risk page') ?? '', {
    'risk edit form': 'Redigera risken',
    'risk delete confirmation': 'Ta bort risken',
    'new-measure form': 'Ny åtgärd',
    'measure page': 'Fördjupad analys och upprättande av handlingsplan',
  })
  await from(pages.get('measure page') ?? '', {
    'measure update form': 'Uppdatera status och genomförda åtgärder',
    'measure edit form': 'Redigera åtgärden',
    'measure delete confirmation': 'Ta bort åtgärden',
  })
  await from(pages.get('reviews list') ?? '', {
    'new-review form': 'Ny granskning',
    'review edit form': 'Redigera GRF-2020-11639',
    'review delete confirmation': 'Ta bort GRF-2020-11639',
  })
  await from('/planer', {
    'audit log': 'Ändringslogg',
    'password form': 'Byt lösenord',
    'reminder preferences': 'Påminnelser',
    'accessibility statement': 'Tillgänglighetsredogörelse',
    'help page': 'Hjälp och kontakt',
  })
  await from('/externa-granskningar', {
    'new-inspection form': 'Registrera extern granskning',
    'report deadlines': 'Tidsfrister för redovisningar',
    'inspection page': landskrona,
  })
  await from(pages.get('inspection page') ?? '', {
    'inspection edit form': 'Redigera granskningen',
    'inspection delete confirmation': 'Ta bort granskningen',
    'new-area form': 'Nytt utvecklingsområde',
    'development area page': 'Rättvisande och likvärdiga betyg (Asmundtorps skola)',
  })
  await from(pages.get('development area page') ?? '', {
    'area edit form': 'Redigera området',
    'area delete confirmation': 'Ta bort området',
  })
  await from(pages.get('plan page') ?? '', {
    'report preview': 'Uppföljningsrapport',
    'next-year confirmation': 'Skapa nästa års plan',
  })
  await from('/planer', { 'import upload': 'Importera plan från Excel' })
  // Both demo committees have a plan of this year, titled alike: each is taken from its committee's section.
  const thisYear = `Internkontrollplan ${swedishDate(new Date()).slice(0, 4)}`
  const planOf = (committee: string) =>
    page.$$eval(
      'main section',
      (sections, committee, title) => {
        const section = sections.find((s) => s.querySelector('h2')?.textContent?.startsWith(`${committee} `))
        const link = [...(section?.querySelectorAll('a') ?? [])].find((a) => a.textContent?.trim() === title)
        return link ? new URL(link.href).pathname : ''
      },
      committee,
      thisYear,
    )
  // Grundskolenämnden's, carried over from 2020: its risks scored, measures overdue and due soon, every status
  // in its report. Förskolenämnden's, kept through controls with their runs, deviations and measures.
  pages.set("this year's plan page", await planOf('Grundskolenämnden'))
  pages.set('plan page with controls', await planOf('Förskolenämnden'))
  expect(pages.get('plan page with controls')).not.toBe(pages.get("this year's plan page"))
  await from(pages.get("this year's plan page") ?? '', { "this year's report preview": 'Uppföljningsrapport' })
  await from(pages.get('plan page with controls') ?? '', { 'report preview with controls': 'Uppföljningsrapport' })
  await page.close()
})

const landskrona =
  'Uppföljning av kvalitetsgranskning av huvudmannens arbete för rättvisande och likvärdiga betyg vid Asmundtorps skola i Landskrona kommun'

const pageTypes = [
  'start page',
  'plans index',
  'new-plan form',
  'plan page',
  'plan edit form',
  'plan delete confirmation',
  'risk page',
  'new-risk form',
  'risk edit form',
  'risk delete confirmation',
  'measure list',
  'measure page',
  'measure update form',
  'new-measure form',
  'measure edit form',
  'measure delete confirmation',
  'reviews list',
  'new-review form',
  'review edit form',
  'review delete confirmation',
  'audit log',
  'audit log, older rows',
  'password form',
  'reminder preferences',
  'external inspections',
  'new-inspection form',
  'report deadlines',
  'inspection page',
  'inspection edit form',
  'inspection delete confirmation',
  'new-area form',
  'development area page',
  'area edit form',
  'area delete confirmation',
  'report preview',
  'next-year confirmation',
  'import upload',
  "this year's plan page",
  "this year's report preview",
  'plan page with controls',
  'report preview with controls',
  'accessibility statement',
  'help page',
]

describe('WCAG 2.1 AA, checked with axe-core', () => {
  itIsAccessible(e2e, pages, pageTypes)

  it('the plan page’s risk matrix, with a scored risk and its table opened, has no violations', async () => {
    const { page } = e2e
    expect(await e2e.open(pages.get('risk edit form') ?? '/')).toBe(200)
    await choose(page, 'Sannolikhet (valfritt)', '2 – Mindre sannolik')
    await choose(page, 'Konsekvens (valfritt)', '3 – Kännbar')
    expect(await follow(page, 'button', 'Spara ändringarna')).toBe(200)
    expect(await e2e.open(pages.get('plan page') ?? '/')).toBe(200)
    expect(await page.$$('.risk-matrix svg a')).toHaveLength(1)
    await page.click('.risk-matrix summary')
    expect(await texts(page, '.risk-matrix table td a')).toEqual(['1. Röjande av sekretess'])
    expect(await axeViolations(page)).toEqual([])
    await page.setViewport(phone)
    expect(await reflowProblems(page)).toEqual([])
    expect(await axeViolations(page)).toEqual([])
  })

  it('a form sent back with validation errors has no violations', async () => {
    const { page } = e2e
    expect(await e2e.open(pages.get('new-risk form') ?? '/')).toBe(200)
    expect(await follow(page, 'button', 'Lägg till risken')).toBe(400)
    expect(await texts(page, '.error-summary h2')).toEqual(['Formuläret innehåller fel'])
    expect(await axeViolations(page)).toEqual([])
    await page.setViewport(phone)
    expect(await reflowProblems(page)).toEqual([])
  })

  it('a measure list whose filter came back with errors has no violations', async () => {
    expect(await e2e.open(`${pages.get('measure list')}?status=okand&sortering=titel`)).toBe(400)
    expect(await texts(e2e.page, '.error-summary li')).toEqual([
      'Välj en status i listan.',
      'Välj en sortering i listan.',
    ])
    expect(await axeViolations(e2e.page)).toEqual([])
  })

  it('reports a field whose label is gone (the check itself works)', async () => {
    expect(await e2e.open(pages.get('new-risk form') ?? '/')).toBe(200)
    await e2e.page.$eval('label[for="field-title"]', (label) => label.remove())
    expect(await axeViolations(e2e.page)).toEqual(['label (Form elements must have labels): #field-title'])
  })

  it('reports a page wider than the phone and a header link off screen (the reflow check itself works)', async () => {
    const { page } = e2e
    await page.setViewport(phone)
    expect(await e2e.open('/planer')).toBe(200)
    await page.$eval('.site-header nav li', (item) => {
      item.style.marginLeft = '600px'
    })
    expect(await reflowProblems(page)).toEqual([
      expect.stringMatching(/^the page is \d+ px wide$/),
      'the header link "Översikt" is off screen',
    ])
  })

  it('the header takes one line at 320 px, and its menu opens, closes with Escape and lies on screen', async () => {
    const { page } = e2e
    await page.setViewport(phone)
    expect(await e2e.open('/planer')).toBe(200)
    const toggle = '::-p-aria([name="Meny"][role="button"])'
    expect(await page.$eval(toggle, (b) => b.getAttribute('aria-expanded'))).toBe('false')
    expect(await page.$eval('.site-header', (header) => header.getBoundingClientRect().height)).toBeLessThan(70)
    expect(await page.$$eval('.site-header nav a', (links) => links.filter((a) => a.checkVisibility()))).toHaveLength(0)
    await page.focus(toggle)
    await page.keyboard.press('Enter')
    expect(await page.$eval(toggle, (b) => b.getAttribute('aria-expanded'))).toBe('true')
    expect(await texts(page, '.site-header nav a')).toEqual([
      'Översikt',
      'Internkontrollplaner',
      'Externa granskningar',
      'Ändringslogg',
    ])
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Översikt')
    await page.keyboard.press('Escape')
    expect(await page.$eval(toggle, (b) => b.getAttribute('aria-expanded'))).toBe('false')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Meny')
    expect(await reflowProblems(page)).toEqual([])
  })

  it('each role’s start page reflows at 320 px and has no violations', async () => {
    for (const account of ['hr', 'lasare', 'admin']) {
      await e2e.inOwnBrowser(async (page) => {
        await page.setViewport(phone)
        await logIn(page, e2e.server.baseUrl, account)
        expect(new URL(page.url()).pathname).toBe('/')
        expect(await reflowProblems(page)).toEqual([])
        expect(await axeViolations(page)).toEqual([])
      })
    }
  })

  it('the login page, the 403 page and the administrator’s pages have no violations', async () => {
    // Mails of every state, with a relay's long answer, as the outbox page lists them; no page can make them.
    const db = openDatabase(e2e.server.database)
    let committeeForm = ''
    try {
      const committee = await db.selectFrom('committee').select('id').executeTakeFirstOrThrow()
      committeeForm = `/admin/namnder/${committee.id}/redigera`
      await db
        .insertInto('outbox_mail')
        .values(
          (['queued', 'sending', 'sent', 'failed', 'uncertain'] as const).map((state, i) => ({
            user_id: null,
            to_address: 'hanna.holm.hr-avdelningen@grundskoleforvaltningen.malmo.se',
            subject: 'Grundskolenämnden: Fördjupad analys och upprättande av handlingsplan ska vara klar 2020-12-31',
            text_body: 'Text',
            html_body: '<p>Text</p>',
            state,
            attempts: i,
            next_attempt_at: '2021-03-15T05:00:00Z',
            last_error:
              state === 'failed'
                ? '550 5.1.1 <hanna.holm.hr-avdelningen@grundskoleforvaltningen.malmo.se>: Recipient address rejected'
                : '',
            created_at: `2021-03-1${i}T05:00:00Z`,
            sent_at: state === 'sent' ? '2021-03-12T05:00:01Z' : null,
            message_id: `<e2e-${i}@internkontroll>`,
          })),
        )
        .execute()
    } finally {
      await db.destroy()
    }
    await e2e.inOwnBrowser(async (page) => {
      const visit = (path: string, status: number) => expectAccessible(page, e2e.server.baseUrl + path, status)
      await visit('/logga-in', 200)
      await logIn(page, e2e.server.baseUrl, 'admin')
      const users = await linkPath(page, 'Användare')
      await visit(users, 200)
      for (const path of [
        await linkPath(page, 'Ny användare'),
        await linkPath(page, 'Roller för Sara Sekreterare'),
        await linkPath(page, 'Nytt lösenord för Sara Sekreterare'),
        '/admin/enheter',
        '/admin/forvaltningar',
        '/admin/namnder',
        committeeForm,
        await linkPath(page, 'E-post'),
        '/admin/e-post?status=failed',
      ]) {
        await visit(path, 200)
      }
      await visit(pages.get('plan edit form') ?? '/', 403)
    })
  })

  it('the accessibility statement and the help page have no violations signed out, and fit 320 px without scrolling sideways', async () => {
    await e2e.inOwnBrowser(async (page) => {
      for (const path of ['/tillganglighetsredogorelse', '/hjalp'])
        await expectAccessible(page, e2e.server.baseUrl + path)
    })
  })

  it('the 404 page has no violations', async () => {
    expect(await e2e.open('/planer/999999')).toBe(404)
    expect(await texts(e2e.page, 'h1')).toEqual(['Planen finns inte'])
    expect(await texts(e2e.page, 'main p')).toContain(
      'Adressen kan vara felskriven, eller så har det du söker tagits bort.',
    )
    expect(await axeViolations(e2e.page)).toEqual([])
    await e2e.page.setViewport(phone)
    expect(await reflowProblems(e2e.page)).toEqual([])
  })
})
