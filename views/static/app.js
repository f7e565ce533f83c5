// Progressive enhancements only: every page works without this file.
document.addEventListener('submit', (event) => {
  const form = event.target
  const confirmation = event.submitter?.dataset.confirm ?? (form instanceof HTMLFormElement ? form.dataset.confirm : undefined)
  if (confirmation && !window.confirm(confirmation)) {
    event.preventDefault()
  }
}, true)

// Menus (the user menu, the navigation's Settings) close on a click elsewhere, and on Escape back to their button.
const openMenus = () => document.querySelectorAll('details.usermenu[open], details.navmenu[open]')
document.addEventListener('click', (event) => {
  for (const menu of openMenus()) {
    if (!menu.contains(event.target)) menu.removeAttribute('open')
  }
})
document.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape') return
  for (const menu of openMenus()) {
    const focusWasInside = menu.contains(document.activeElement)
    menu.removeAttribute('open')
    if (focusWasInside) menu.querySelector('summary').focus()
  }
})

// A search picker's button is the first of its form, so without JavaScript Enter in any of the form's fields searches,
// keeping what was typed; with it, Enter outside the search box sends the form with its own button, as in other forms.
document.addEventListener('keydown', (event) => {
  const field = event.target
  if (event.key !== 'Enter' || event.isComposing || !(field instanceof HTMLInputElement) || !field.form || field.closest('.picker-search')) return
  const submit = field.form.querySelector('.picker-search') && field.form.querySelector('button[type="submit"][name="_csrf"]')
  if (!submit) return
  event.preventDefault()
  field.form.requestSubmit(submit)
})
