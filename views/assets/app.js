// A form sent back with errors: move focus to the error summary so keyboard and screen-reader users start there.
const summary = document.querySelector('.error-summary')
if (summary instanceof HTMLElement) summary.focus()

// After a save the page says what was done (the layout's .notice, role=status). A message already there when the page
// loads is not announced, so it gets the focus and is read out. A save that leads to a place on the page (#…, an
// owner's measure on the start page) shows the message there, just above it, where the eye lands. After "Flytta
// upp/ned" the place is the moved row's button, which browsers scroll to but do not focus: it gets the focus, and the
// message is written anew so that it is still announced.
const notice = document.querySelector('main > .notice')
if (notice instanceof HTMLElement) {
  // The app's own fragments are plain ASCII ids, so the hash needs no decoding (which could throw).
  const place = location.hash && document.getElementById(location.hash.slice(1))
  if (place instanceof HTMLButtonElement) {
    place.focus()
    const message = [...notice.childNodes]
    notice.replaceChildren()
    setTimeout(() => notice.replaceChildren(...message), 250)
  } else {
    notice.tabIndex = -1
    if (!place) notice.focus()
    else {
      place.before(notice)
      // The browser clears the focus when it scrolls to a place that cannot take it, once the page has loaded.
      window.addEventListener('load', () => setTimeout(() => notice.focus()))
    }
  }
}

// A new plan's title is "Internkontrollplan <year>" until the user writes one of their own: while it is still that
// (or empty), it follows the year as the year is typed, also on a form sent back with errors. Without this script
// the title is simply what the field holds.
for (const title of document.querySelectorAll('input[data-year-title]')) {
  const year = title.form?.elements.namedItem('year')
  if (!(year instanceof HTMLInputElement)) continue
  const titleOf = (value) => `${title.dataset.yearTitle} ${value.trim()}`
  let followed = year.value
  year.addEventListener('input', () => {
    if (title.value.trim() === '' || title.value === titleOf(followed)) title.value = titleOf(year.value)
    followed = year.value
  })
}

// A field that only one answer of another field asks for (data-shown-when="treatment=review": the review type, of a
// risk that is reviewed) is hidden while that answer is not chosen; the server ignores what a hidden field sends.
// Without this script the field stays visible, and its hint says when it applies.
for (const dependent of document.querySelectorAll('[data-shown-when]')) {
  const [name, value] = dependent.dataset.shownWhen.split('=')
  const form = dependent.closest('form')
  // A select, or a group of radios (a RadioNodeList, whose value is the checked one's).
  const control = form?.elements.namedItem(name)
  if (!(control instanceof HTMLSelectElement || control instanceof RadioNodeList)) continue
  const update = () => {
    dependent.hidden = control.value !== value
  }
  form.addEventListener('change', (event) => {
    if (event.target.name === name) update()
  })
  update()
}

// Making a PDF or importing a plan takes seconds: the link or button that started it says so ("Skapar PDF…", aria-busy, a spinner)
// and refuses a second click meanwhile. A form's page is replaced when the answer comes; a download leaves the
// page in place, so the link waits for the cookie the download sets (data-busy-until), or gives up after 90 s.
// Without this script the link and the form work just the same.
const busyNote = document.querySelector('[data-busy-note]')

function setBusy(control, busyText) {
  if (busyText) {
    control.dataset.idleText = control.textContent
    control.textContent = busyText
    control.setAttribute('aria-busy', 'true')
    control.setAttribute('aria-disabled', 'true')
    control.classList.add('is-busy')
  } else if (control.dataset.idleText !== undefined) {
    control.textContent = control.dataset.idleText
    delete control.dataset.idleText
    control.removeAttribute('aria-busy')
    control.removeAttribute('aria-disabled')
    control.classList.remove('is-busy')
  }
  if (busyNote) busyNote.textContent = busyText ? busyNote.dataset.busyNote : ''
}

const isBusy = (control) => control.getAttribute('aria-busy') === 'true'
const hasCookie = (name) => document.cookie.split('; ').some((c) => c.startsWith(`${name}=`))
const dropCookie = (name) => {
  // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is async and missing from older browsers.
  document.cookie = `${name}=; max-age=0; path=/; samesite=strict`
}

for (const link of document.querySelectorAll('a[data-busy]')) {
  link.addEventListener('click', (event) => {
    if (isBusy(link)) return event.preventDefault()
    // A download into a new tab or window is not this page's to wait for.
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return
    const cookie = link.dataset.busyUntil
    dropCookie(cookie)
    setBusy(link, link.dataset.busy)
    const started = Date.now()
    const timer = setInterval(() => {
      const arrived = hasCookie(cookie)
      if (arrived || Date.now() - started > 90_000) {
        clearInterval(timer)
        dropCookie(cookie)
        setBusy(link, null)
        // The page saying that the printer was busy still says so: tell what became of it.
        if (arrived && busyNote && link.dataset.readyNote) busyNote.textContent = link.dataset.readyNote
      }
    }, 250)
  })
}

for (const form of document.querySelectorAll('form[data-busy]')) {
  form.addEventListener('submit', (event) => {
    // The button pressed, when a form has more than one (the import's preview also counts again).
    const button = event.submitter ?? form.querySelector('button[type="submit"]')
    if (!button) return
    if ([...form.querySelectorAll('button')].some(isBusy)) return event.preventDefault()
    setBusy(button, button.dataset.busy ?? form.dataset.busy)
  })
}

// The page saying that the PDF printer is busy asks again by itself after the seconds it names, as a click on its
// "Försök igen nu" would (the link above then waits for the download). Its status message says so once (not every
// second), and a button stops it (WCAG 2.2.1), leaving the focus on the link. Without this script the page
// waits for the user's click: a <meta http-equiv="refresh"> could not be stopped.
const retry = document.querySelector('a[data-retry-after]')
const stopRetry = document.querySelector('button[data-retry-stop]')
if (retry && stopRetry && busyNote) {
  const seconds = Number(retry.dataset.retryAfter)
  busyNote.textContent = `Sidan försöker igen av sig själv om ${seconds} sekunder.`
  stopRetry.hidden = false
  const timer = setTimeout(() => {
    stopRetry.hidden = true
    retry.click()
  }, seconds * 1000)
  const stop = () => {
    clearTimeout(timer)
    stopRetry.hidden = true
  }
  retry.addEventListener('click', stop)
  stopRetry.addEventListener('click', () => {
    stop()
    busyNote.textContent = 'Försöker inte igen av sig själv. Välj Försök igen nu när du vill.'
    retry.focus()
  })
}

// Back from an error page, the browser may show this page as it was left: busy.
window.addEventListener('pageshow', (event) => {
  if (event.persisted) for (const control of document.querySelectorAll('[aria-busy="true"]')) setBusy(control, null)
})

// Under 40em the header's menu folds behind its "Meny" button, so that on a phone or at 400 % zoom the page starts
// at once; wider, the button is hidden by the stylesheet and the menu always shows. Without this script the
// button stays hidden and the menu open.
const menuToggle = document.querySelector('.site-header__toggle')
const menu = menuToggle && document.getElementById(menuToggle.getAttribute('aria-controls'))
if (menuToggle && menu) {
  const setOpen = (open) => {
    menuToggle.setAttribute('aria-expanded', String(open))
    menu.toggleAttribute('data-collapsed', !open)
  }
  setOpen(false)
  menuToggle.hidden = false
  menuToggle.addEventListener('click', () => setOpen(menuToggle.getAttribute('aria-expanded') !== 'true'))
  menu.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || menuToggle.offsetParent === null) return
    setOpen(false)
    menuToggle.focus()
  })
}
