import supertest from 'supertest'
import { describe, expect, it } from 'vitest'
import { createTestApp, html, testPdf } from '../../test/helpers/test-app.js'
import { openTestDatabase } from '../../test/helpers/test-database.js'
import { createApp } from '../app.js'
import { loadConfig } from '../config.js'

// DIGG's template for a tillgänglighetsredogörelse, in its order.
const statementSections = [
  'Hur tillgänglig är tjänsten?',
  'Vad kan du göra om du inte kan använda delar av tjänsten?',
  'Rapportera brister i tjänstens tillgänglighet',
  'Tillsyn',
  'Teknisk information om tjänstens tillgänglighet',
  'Innehåll som inte är tillgängligt',
  'Hur vi testat tjänsten',
]

// As read: whitespace collapsed, and no soft hyphens (where a long word may break).
const read = (text: string) =>
  text
    .replace(/\u00ad/g, '')
    .replace(/\s+/g, ' ')
    .trim()
const texts = ($: ReturnType<typeof html>, selector: string) =>
  $(selector)
    .map((_, e) => read($(e).text()))
    .get()

/** An installation run by Malmö stad, with no demo data: the pages need none. */
async function malmo() {
  const db = await openTestDatabase()
  const config = loadConfig({
    NODE_ENV: 'test',
    OPERATOR_NAME: 'Malmö stad',
    CONTACT_EMAIL: 'internkontroll@malmo.se',
    CONTACT_PHONE: '040-34 10 00',
    SESSION_IDLE_MINUTES: '30',
  })
  return supertest(createApp({ db, config, clock: () => new Date('2021-03-15T09:00:00Z'), pdf: testPdf }))
}

describe('the accessibility statement', () => {
  it('follows DIGG’s template for someone not signed in, with the demo operator to report to and DIGG’s form', async () => {
    const { agent } = await createTestApp({ as: null })
    const $ = html((await agent.get('/tillganglighetsredogorelse').expect(200)).text)
    expect(texts($, 'h1')).toEqual(['Tillgänglighetsredogörelse'])
    expect(texts($, 'main h2')).toEqual(statementSections)
    expect($('main .lead').text()).toMatch(/^Demokommunen står bakom den här tjänsten/)
    expect($('main a[href="mailto:kontakt@demo.internkontroll.se"]').length).toBeGreaterThan(0)
    expect($('main a[href="https://www.digg.se/tdosanmalan"]').text()).toBe(
      'Anmäl till DIGG via myndighetens webbformulär',
    )
    expect($('main').text()).toContain('Tjänsten är delvis förenlig med lagen')
    // The timeout it admits to is the one the server applies.
    expect($('main').text()).toContain('på 60 minuter, och alltid 10 timmar efter inloggningen')
    expect($('.site-header nav').length).toBe(0)
  })

  it('is the same page for a signed-in person, with their menu', async () => {
    const { agent } = await createTestApp({ as: 'lasare' })
    const $ = html((await agent.get('/tillganglighetsredogorelse').expect(200)).text)
    expect(texts($, 'main h2')).toEqual(statementSections)
    expect(texts($, '.site-header nav a')).toContain('Internkontrollplaner')
  })
})

describe('the help page', () => {
  it('says whom to ask, what each role may do, and links the accessibility statement, signed in or not', async () => {
    const { app, agent: hr } = await createTestApp({ as: 'hr' })
    for (const agent of [supertest.agent(app), hr]) {
      const $ = html((await agent.get('/hjalp').expect(200)).text)
      expect(texts($, 'h1')).toEqual(['Hjälp och kontakt'])
      expect(texts($, 'main h2')).toEqual([
        'Vem kontaktar jag?',
        'Vad får de olika rollerna göra?',
        'Lösenord och inloggning',
        'Tillgänglighet',
      ])
      expect(texts($, 'main h3')).toEqual(['Sekreterare', 'Ansvarig', 'Läsare', 'Administratör'])
      expect($('main a[href="/tillganglighetsredogorelse"]').text()).toBe('tillgänglighetsredogörelsen')
      expect($('main a[href="mailto:kontakt@demo.internkontroll.se"]').text()).toBe('kontakt@demo.internkontroll.se')
    }
  })
})

describe('the operator named in the configuration', () => {
  it('is who the statement, the help page and the login page send people to', async () => {
    const request = await malmo()
    const statement = html((await request.get('/tillganglighetsredogorelse').expect(200)).text)
    expect(statement('main .lead').text()).toMatch(/^Malmö stad står bakom den här tjänsten/)
    expect(statement('main').text()).toContain('e-post internkontroll@malmo.se eller telefon 040-34 10 00')
    expect(statement('main').text()).toContain('på 30 minuter')
    const help = html((await request.get('/hjalp').expect(200)).text)
    expect(help('main').text()).toContain(
      'kontakta Malmö stad, e-post internkontroll@malmo.se eller telefon 040-34 10 00.',
    )
    const login = html((await request.get('/logga-in').expect(200)).text)
    expect(texts(login, 'main h2')).toEqual(['Glömt lösenordet?'])
    expect(texts(login, 'main section p')).toEqual([
      'Lösenordet kan inte återställas här. Be en administratör för Internkontroll i din organisation om ett nytt ' +
        'lösenord; sedan kan du byta det själv under Byt lösenord när du har loggat in. Vet du inte vem som är ' +
        'administratör, kontakta Malmö stad: e-post internkontroll@malmo.se eller telefon 040-34 10 00.',
    ])
    expect(login('main a[href="mailto:internkontroll@malmo.se"]').length).toBe(1)
  })
})

describe('the footer', () => {
  it('links the statement, the help page and open data from an ordinary page and from the login page', async () => {
    const { app, agent } = await createTestApp()
    for (const page of [await agent.get('/planer').expect(200), await supertest(app).get('/logga-in').expect(200)]) {
      const $ = html(page.text)
      expect(
        $('footer a')
          .map((_, a) => `${$(a).text()} ${$(a).attr('href')}`)
          .get(),
      ).toEqual([
        'Tillgänglighetsredogörelse /tillganglighetsredogorelse',
        'Hjälp och kontakt /hjalp',
        'Öppna data /oppna-data',
      ])
    }
  })
})
