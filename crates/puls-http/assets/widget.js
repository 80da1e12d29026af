/*! Puls widget loader: asks Puls once whether this visitor should see a survey now, and shows it in an accessible dialog. */
(function(w,d){var s=d.currentScript;if(!s||w.__puls)return;w.__puls=1;
var k=s.getAttribute("data-key"),base=new URL(s.src).origin,asked=0;
function ids(){var a=w.analytics,u,r={};try{u=a&&a.user&&a.user();if(u){r.uid=u.id();r.aid=u.anonymousId()}}catch(e){}
if(!r.aid)try{r.aid=localStorage.getItem("puls_aid");if(!r.aid){r.aid=crypto.randomUUID?crypto.randomUUID():Date.now()+"-"+Math.random().toString(36).slice(2);localStorage.setItem("puls_aid",r.aid)}}catch(e){}
return r}
function ask(){if(asked++)return;var r=ids(),q=new URLSearchParams({key:k,url:location.href,device:matchMedia("(max-width: 767px)").matches?"mobile":"desktop",lang:(navigator.languages||[navigator.language]).join(",")});
r.uid&&q.set("uid",r.uid);r.aid&&q.set("aid",r.aid);
fetch(base+"/api/v1/widget/eligibility?"+q,{credentials:"omit"}).then(function(x){return x.ok?x.json():{}}).then(function(v){v.show&&setTimeout(function(){show(v)},v.delay_ms||0)},function(){})}
function show(v){var back=d.activeElement,o=d.createElement("div"),g=d.createElement("div"),h=d.createElement("h2"),c=d.createElement("button"),f=d.createElement("iframe"),a=d.createElement("span"),b=d.createElement("span"),rest=[].slice.call(d.body.children);
o.style.cssText="position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.5);display:flex;align-items:center;justify-content:center";
g.setAttribute("role","dialog");g.setAttribute("aria-modal","true");g.setAttribute("aria-labelledby","puls-h");g.lang=v.lang;
g.style.cssText="position:relative;background:#fff;color:#1a1a1a;border-radius:10px;width:min(600px,96vw);padding:12px 12px 0;box-sizing:border-box;font:16px/1.4 system-ui,sans-serif";
h.id="puls-h";h.textContent=v.title;h.style.cssText="margin:4px 48px 8px 4px;font-size:18px";
c.type="button";c.textContent="\u00d7";c.setAttribute("aria-label",v.close);c.style.cssText="position:absolute;top:6px;right:6px;width:40px;height:40px;border:0;border-radius:6px;background:#e8e8e8;color:#1a1a1a;font-size:24px;cursor:pointer";
f.src=v.url;f.title=v.title;f.style.cssText="display:block;border:0;width:100%;height:min(560px,75vh)";
a.tabIndex=b.tabIndex=0;a.onfocus=function(){f.focus()};b.onfocus=function(){c.focus()};
g.append(h,c,f);o.append(a,g,b);rest.forEach(function(e){e.inert=true});d.body.append(o);c.focus();
function esc(e){e.key=="Escape"&&close()}
function msg(e){e.origin==base&&e.source==f.contentWindow&&e.data=="puls:close"&&close()}
function close(){o.remove();rest.forEach(function(e){e.inert=false});removeEventListener("keydown",esc,true);removeEventListener("message",msg);back&&back.focus&&back.focus()}
addEventListener("keydown",esc,true);addEventListener("message",msg);c.onclick=close;o.onclick=function(e){e.target==o&&close()}}
w.analytics&&w.analytics.ready?(w.analytics.ready(ask),setTimeout(ask,3e3)):ask()})(window,document);
