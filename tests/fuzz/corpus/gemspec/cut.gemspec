# -*- encoding: utf-8 -*-
# stub: cut 2.0 x86_64-linux lib

Gem::Specification.new do |s|
  s.name = "cut".freeze
  s.summary = "\u{1F600 41} \xFF \777 \c
