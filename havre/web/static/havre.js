// The only script of the pages (the Content-Security-Policy allows no other): switching the language keeps the
// reader's place, the fragment of the current URL.
"use strict";
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-keep-place]");
  if (link && window.location.hash) {
    link.href = link.href.split("#")[0] + window.location.hash;
  }
});
