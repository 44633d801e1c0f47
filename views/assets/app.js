// A form sent back with errors: move focus to the error summary so keyboard and screen-reader users start there.
const summary = document.querySelector('.error-summary')
if (summary instanceof HTMLElement) summary.focus()

// A long-running post (an import): the button says what is happening and a second click sends nothing more.
for (const button of document.querySelectorAll('button[data-busy-label]')) {
  const form = button instanceof HTMLButtonElement ? button.form : null
  if (!form) continue
  form.addEventListener('submit', () => {
    button.textContent = button.dataset.busyLabel ?? button.textContent
    button.setAttribute('aria-disabled', 'true')
    form.addEventListener('submit', (event) => event.preventDefault())
  })
}
