// Progressive enhancements only: every page works without this file.
document.addEventListener('submit', (event) => {
  const form = event.target
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault()
  }
}, true)

document.addEventListener('click', (event) => {
  for (const menu of document.querySelectorAll('details.usermenu[open]')) {
    if (!menu.contains(event.target)) menu.removeAttribute('open')
  }
})
