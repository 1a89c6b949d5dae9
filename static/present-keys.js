// 汇报模式 Presentation mode: the keys that step through the towns (dashboard/present.py).
//
// Mounted as a Streamlit components-v2 module, so it runs in the app's own document:
// no click is needed before the keys work. One keydown listener (capture phase) goes on
// the app's window and on the window of every same-origin iframe (the folium map), so the
// keys still work after a click into the map, and Leaflet does not pan with them. Each
// document is marked once; the listener calls whichever component instance mounted last,
// so reruns never add a second listener. The step is sent as a trigger value (a rerun, no
// page reload). The window's size is sent as a state value, so the map can fill it.
const STEPS = {
  ArrowRight: "next", ArrowDown: "next", PageDown: "next",
  ArrowLeft: "previous", ArrowUp: "previous", PageUp: "previous",
  Escape: "city", Home: "city",
};
const MARK = "__carrierMapPresentKeys";

function typing(target) {
  const tag = target && target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT"
    || (target && target.isContentEditable);
}

export default function (component) {
  const { data, setTriggerValue, setStateValue } = component;
  const hub = (window.__carrierMapPresent ||= { windows: new Set() });
  hub.send = (step) => setTriggerValue("step", step);
  hub.onKey ||= (event) => {
    const step = STEPS[event.key];
    if (!step || event.repeat || event.altKey || event.ctrlKey || event.metaKey
        || typing(event.target)) {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    hub.send(step);
  };

  const watch = (win) => {
    if (!win || win[MARK]) return;
    win[MARK] = true;
    win.addEventListener("keydown", hub.onKey, true);
    hub.windows.add(win);
  };
  const scan = () => {
    watch(window);
    for (const frame of document.querySelectorAll("iframe")) {
      if (!frame[MARK]) {
        frame[MARK] = true;
        frame.addEventListener("load", scan);
      }
      try {
        watch(frame.contentWindow);
      } catch (error) {
        // a frame of another origin: its keys stay its own
      }
    }
  };
  scan();
  const observer = new MutationObserver(scan);
  observer.observe(document.body, { childList: true, subtree: true });

  let known = (data && data.viewport) || null;  // the size the page was laid out for
  const sendSize = () => {
    const size = [window.innerWidth, window.innerHeight];
    if (!known || known[0] !== size[0] || known[1] !== size[1]) {
      known = size;
      setStateValue("viewport", size);
    }
  };
  let timer = null;
  const resized = () => {
    clearTimeout(timer);
    timer = setTimeout(sendSize, 300);
  };
  sendSize();
  window.addEventListener("resize", resized);

  return () => {
    observer.disconnect();
    window.removeEventListener("resize", resized);
    clearTimeout(timer);
    for (const win of hub.windows) {
      try {
        win.removeEventListener("keydown", hub.onKey, true);
        delete win[MARK];
      } catch (error) {
        // the frame has gone
      }
    }
    hub.windows.clear();
  };
}
